using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Contracts;
using Databacker.Api.Contracts.Serialization;
using Newtonsoft.Json;

namespace Databacker.Api.Client;

/// <summary>
/// Reads a run's log through <see cref="IAdministrationClient"/> in the two forms the API serves: entry by entry
/// (NDJSON, <see cref="ReadRunLogAsync"/>) or as text for people (<see cref="GetRunLogTextAsync"/>). Both stream: the log
/// is never held whole.
/// </summary>
public static class RunLogExtensions
{
    /// <summary>The longest log line read, in characters; a longer one is an error (the API's messages are at most 64 Ki characters).</summary>
    public const int MaxLineChars = 1024 * 1024;

    private const string NdjsonMediaType = "application/x-ndjson";
    private const string TextMediaType = "text/plain";
    private static readonly JsonSerializer Serializer = JsonSerializer.Create(ContractJsonSettings.Create());

    /// <summary>
    /// Streams the run's log entries in <c>seq</c> order, as the controller sends them: each entry is handed over as soon
    /// as its line has arrived.
    /// </summary>
    /// <param name="client">The administration client.</param>
    /// <param name="instance">The instance id.</param>
    /// <param name="run">The run id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries; the response is closed when the enumeration ends or is abandoned.</returns>
    /// <exception cref="UnexpectedMediaTypeException">The controller answered something other than NDJSON.</exception>
    /// <exception cref="DatabackerApiException">A line is not a log entry, or is longer than <see cref="MaxLineChars"/>; the entries before it were handed over.</exception>
    public static async IAsyncEnumerable<LogEntry> ReadRunLogAsync(
        this IAdministrationClient client,
        string instance,
        Guid run,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetRunLogAsync(instance, run, cancellationToken).ConfigureAwait(false);
        Expect(response, NdjsonMediaType, instance, run);

        using var reader = new StreamReader(response.Stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024);
        var lines = new LineReader(reader);
        for (var number = 1L; await lines.ReadAsync(cancellationToken).ConfigureAwait(false) is { } line; number++)
        {
            if (line.Length > MaxLineChars)
            {
                throw Malformed(response, instance, run, number, $"it is longer than {MaxLineChars} characters", null);
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            LogEntry? entry;
            try
            {
                using var json = new JsonTextReader(new StringReader(line));
                entry = Serializer.Deserialize<LogEntry>(json);
                if (json.Read())
                {
                    throw new JsonSerializationException("Additional text after the entry.");
                }
            }
            catch (JsonException error)
            {
                throw Malformed(response, instance, run, number, error.Message, error);
            }

            yield return entry ?? throw Malformed(response, instance, run, number, "it is null", null);
        }
    }

    /// <summary>
    /// Gets the run's log as text for people (<c>text/plain</c>, one formatted line per entry), to copy to a console or
    /// a file. Dispose the result to close the response.
    /// </summary>
    /// <param name="client">The administration client.</param>
    /// <param name="instance">The instance id.</param>
    /// <param name="run">The run id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whose <see cref="FileResponse.Stream"/> is the text, unread.</returns>
    /// <exception cref="UnexpectedMediaTypeException">The controller answered something other than text.</exception>
    public static async Task<FileResponse> GetRunLogTextAsync(this IAdministrationClient client, string instance, Guid run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        FileResponse response;
        using (DatabackerRequest.With(o => o.AcceptMediaType = TextMediaType))
        {
            response = await client.GetRunLogAsync(instance, run, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            Expect(response, TextMediaType, instance, run);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static void Expect(FileResponse response, string mediaType, string instance, Guid run)
    {
        var received = ContentType(response);
        var bare = received?.Split(';', 2)[0].Trim();
        if (!string.Equals(bare, mediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new UnexpectedMediaTypeException(
                $"GET {LogPath(instance, run)} answered '{received ?? "(no Content-Type)"}' where {mediaType} was asked for.",
                Details(response, instance, run),
                [mediaType],
                received);
        }
    }

    private static string? ContentType(FileResponse response)
    {
        foreach (var (name, values) in response.Headers)
        {
            if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                return string.Join(", ", values);
            }
        }

        return null;
    }

    private static DatabackerApiException Malformed(FileResponse response, string instance, Guid run, long line, string why, Exception? inner) =>
        new($"Line {line} of the log of run {run} of instance '{instance}' is not a log entry: {why}.", Details(response, instance, run), inner);

    private static ApiCallDetails Details(FileResponse response, string instance, Guid run) => new()
    {
        RequestMethod = HttpMethod.Get,
        RequestUri = new Uri(LogPath(instance, run), UriKind.Relative),
        StatusCode = (HttpStatusCode)response.StatusCode,
        ResponseHeaders = response.Headers.ToDictionary(h => h.Key, h => (IReadOnlyList<string>)[.. h.Value], StringComparer.OrdinalIgnoreCase),
    };

    private static string LogPath(string instance, Guid run) => $"instances/{Uri.EscapeDataString(instance)}/runs/{run}/log";

    // Lines of at most MaxLineChars + 1 characters: a longer line is cut there (and refused by the caller) instead of
    // being held whole, so a controller cannot make the reader grow without bound.
    private sealed class LineReader(TextReader reader)
    {
        private readonly char[] _buffer = new char[16 * 1024];
        private readonly StringBuilder _line = new();
        private int _start;
        private int _end;
        private bool _cut;

        public async ValueTask<string?> ReadAsync(CancellationToken cancellationToken)
        {
            _line.Clear();
            _cut = false;
            while (true)
            {
                if (_start == _end)
                {
                    _start = 0;
                    _end = await reader.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                    if (_end == 0)
                    {
                        return _line.Length > 0 ? _line.ToString() : null;
                    }
                }

                var available = _buffer.AsSpan(_start, _end - _start);
                var newline = available.IndexOf('\n');
                var take = newline < 0 ? available : available[..newline];
                var room = MaxLineChars + 1 - Math.Min(_line.Length, MaxLineChars + 1);
                _cut |= take.Length > room;
                _line.Append(take[..Math.Min(take.Length, room)]);
                if (newline >= 0)
                {
                    _start += newline + 1;

                    // A line that was cut keeps its MaxLineChars + 1 characters, a '\r' among them, so that it is refused.
                    return _cut ? _line.ToString() : TrimCarriageReturn(_line);
                }

                _start = _end;
                if (_line.Length > MaxLineChars)
                {
                    return _line.ToString();
                }
            }
        }

        private static string TrimCarriageReturn(StringBuilder line) =>
            line.Length > 0 && line[^1] == '\r' ? line.ToString(0, line.Length - 1) : line.ToString();
    }
}
