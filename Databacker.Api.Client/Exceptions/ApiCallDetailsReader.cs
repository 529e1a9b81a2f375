using System.Net.Http.Headers;
using Databacker.Api.Client.Pipeline;

namespace Databacker.Api.Client.Exceptions;

/// <summary>Collects <see cref="ApiCallDetails"/> from a response, reading RFC 9457 problem details when present.</summary>
internal static class ApiCallDetailsReader
{
    private const int MaxProblemBytes = 64 * 1024;

    public static async Task<ApiCallDetails> ReadAsync(HttpResponseMessage response, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ApiProblemDetails? problem = null;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (string.Equals(mediaType, ApiProblemDetails.MediaType, StringComparison.OrdinalIgnoreCase)
            && (response.Content.Headers.ContentLength ?? 0) <= MaxProblemBytes)
        {
            try
            {
                if (await ReadAtMostAsync(response.Content, MaxProblemBytes, cancellationToken).ConfigureAwait(false) is { } json)
                {
                    ApiProblemDetails.TryParse(json, out problem);
                }
            }
            catch (Exception error) when (error is HttpRequestException or IOException)
            {
                // A body that cannot be read leaves the problem details unknown; the status still tells the story.
            }
        }

        return Describe(request, response, problem);
    }

    // The body as text if it holds at most `limit` bytes, else null: a body without a length (chunked) is read only up
    // to the limit, so a server (or a foreign origin a redirect led to) cannot make the client hold an endless error.
    internal static async Task<string?> ReadAtMostAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[limit + 1];
        var length = 0;
        using (var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
        {
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }

        if (length > limit)
        {
            return null;
        }

        // Decoded as HttpContent.ReadAsStringAsync would: the charset of the Content-Type, else UTF-8, and a byte order
        // mark wins over both.
        var encoding = System.Text.Encoding.UTF8;
        if (content.Headers.ContentType?.CharSet is { Length: > 0 } charset)
        {
            try
            {
                encoding = System.Text.Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown charset: UTF-8, as JSON is (RFC 8259).
            }
        }

        using var reader = new StreamReader(new MemoryStream(buffer, 0, length, writable: false), encoding, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    public static ApiCallDetails Describe(HttpRequestMessage request, HttpResponseMessage? response, ApiProblemDetails? problem = null) => new()
    {
        RequestMethod = request.Method,
        RequestUri = request.RequestUri,
        StatusCode = response?.StatusCode,
        ResponseHeaders = response is null ? new Dictionary<string, IReadOnlyList<string>>() : HeadersOf(response),
        Problem = problem,
        RedirectChain = RequestReplay.ChainOf(request),
    };

    private static Dictionary<string, IReadOnlyList<string>> HeadersOf(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        Add(response.Headers);
        Add(response.Content.Headers);
        return headers;

        void Add(HttpHeaders source)
        {
            foreach (var header in source.NonValidated)
            {
                headers[header.Key] = header.Value.ToArray();
            }
        }
    }
}
