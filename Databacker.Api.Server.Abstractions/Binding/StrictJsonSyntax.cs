using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Databacker.Api.Server.Binding;

/// <summary>
/// Checks that a JSON request body is JSON as RFC 8259 defines it before Json.NET binds it: Json.NET also reads
/// JavaScript (<c>[1,,2]</c>, <c>undefined</c>, <c>NaN</c>, comments, single quotes, unquoted names), which would be
/// stored and later served to agents as text no JSON parser reads. A number beyond the range of a double is refused
/// too: Json.NET would keep it as infinity and write it back as the string <c>"Infinity"</c>. And a body may hold at most
/// so many values: Json.NET holds each free-form value as an object, at 20 to 40 times its text.
/// </summary>
internal static class StrictJsonSyntax
{
    private const int MaxDepth = 64;

    /// <summary>What is wrong with a body: not JSON (a 400), or more values than allowed (a 413).</summary>
    public readonly record struct Problem(string Detail, bool TooLarge);

    /// <summary>Reads the whole body (it stays readable from the start) and returns what is wrong with it, or null.</summary>
    public static async Task<Problem?> CheckBodyAsync(HttpRequest request, long maxValues, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and <= 1024 * 1024 ? (int)request.ContentLength + 1 : 16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            request.Body.Position = 0;
            return TryUtf8(buffer.AsSpan(0, length), request.ContentType, out var utf8) ? Check(utf8, maxValues) : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Why <paramref name="utf8"/> is not one JSON value (RFC 8259), or null when it is.</summary>
    public static string? Check(ReadOnlySequence<byte> utf8)
    {
        if (utf8.IsSingleSegment)
        {
            return Check(utf8.FirstSpan, long.MaxValue)?.Detail;
        }

        if (utf8.FirstSpan.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8.Slice(3);
        }

        var reader = new Utf8JsonReader(utf8, Options);
        return Read(ref reader, long.MaxValue)?.Detail;
    }

    /// <summary>What is wrong with <paramref name="utf8"/>: not one JSON value (RFC 8259), or more than <paramref name="maxValues"/> values.</summary>
    public static Problem? Check(ReadOnlySpan<byte> utf8, long maxValues)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        var reader = new Utf8JsonReader(utf8, Options);
        return Read(ref reader, maxValues);
    }

    private static readonly JsonReaderOptions Options = new() { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow };

    private static Problem? Read(ref Utf8JsonReader reader, long maxValues)
    {
        try
        {
            long values = 0;
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray or JsonTokenType.PropertyName)
                {
                    continue;
                }

                if (++values > maxValues)
                {
                    return new Problem($"The body holds more than {maxValues} JSON values.", TooLarge: true);
                }

                if (reader.TokenType == JsonTokenType.Number && !(reader.TryGetDouble(out var number) && double.IsFinite(number)))
                {
                    return new Problem($"The number at byte {reader.TokenStartIndex} is beyond the range of a double.", TooLarge: false);
                }
            }

            return null;
        }
        catch (JsonException error)
        {
            return new Problem($"The body is not JSON: {error.Message}", TooLarge: false);
        }
    }

    // The formatters also read UTF-16 bodies when the charset says so: check the same text in UTF-8.
    private static bool TryUtf8(ReadOnlySpan<byte> body, string? contentType, out ReadOnlySpan<byte> utf8)
    {
        utf8 = body;
        if (Negotiation.Charset.Of(contentType) is not { } charset || Negotiation.Charset.IsUtf8Name(charset))
        {
            return true;
        }

        try
        {
            utf8 = Encoding.UTF8.GetBytes(Encoding.GetEncoding(charset).GetString(body));
            return true;
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException)
        {
            return false; // an unknown or disabled charset (utf-7): the formatter refuses it with its 415
        }
    }
}
