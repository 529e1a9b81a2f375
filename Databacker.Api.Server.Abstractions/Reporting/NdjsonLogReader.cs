using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Databacker.Api.Contracts;
using Newtonsoft.Json;

namespace Databacker.Api.Server.Reporting;

/// <summary>
/// Reads the NDJSON body of the log endpoint incrementally, one line at a time, and validates each line (valid
/// JSON, required fields, sizes). A body is all-or-nothing: either every line is valid and returned, or the first
/// bad line is reported with its number and nothing is returned, so a client can fix and resend without duplicates.
/// Memory is bounded by the configured body and line limits, never by what a client sends.
/// </summary>
public sealed class NdjsonLogReader
{
    private static readonly JsonSerializer Serializer = JsonSerializer.Create(new JsonSerializerSettings
    {
        DateParseHandling = DateParseHandling.DateTimeOffset,
        MissingMemberHandling = MissingMemberHandling.Ignore,
        MaxDepth = 32,
    });

    private readonly NdjsonLogReaderOptions _options;

    /// <summary>Creates a reader with the given limits.</summary>
    /// <param name="options">The limits; defaults when <see langword="null"/>.</param>
    public NdjsonLogReader(NdjsonLogReaderOptions? options = null) => _options = options ?? new NdjsonLogReaderOptions();

    /// <summary>Reads and validates a whole body.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>Every line, or the first error.</returns>
    public async Task<LogBodyReadResult> ReadAsync(Stream body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        var entries = new List<LogEntry>();
        long lineNumber = 0;
        long total = 0;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = read.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    lineNumber++;
                    total += line.Length + 1;
                    var error = Accept(line, lineNumber, total, entries);
                    if (error is not null)
                    {
                        return LogBodyReadResult.Failure(error);
                    }
                }

                if (buffer.Length > _options.MaxLineBytes)
                {
                    return LogBodyReadResult.Failure(new LogBodyError(lineNumber + 1, $"Line is longer than {_options.MaxLineBytes} bytes.", TooLarge: true));
                }

                if (read.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        // A last line without a trailing newline.
                        lineNumber++;
                        total += buffer.Length;
                        var error = Accept(buffer, lineNumber, total, entries);
                        if (error is not null)
                        {
                            return LogBodyReadResult.Failure(error);
                        }
                    }

                    break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        return entries.Count == 0
            ? LogBodyReadResult.Failure(new LogBodyError(0, "The body holds no log line.", TooLarge: false))
            : LogBodyReadResult.Success(entries);
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var position = buffer.PositionOf((byte)'\n');
        if (position is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, position.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, position.Value));
        return true;
    }

    private LogBodyError? Accept(ReadOnlySequence<byte> line, long lineNumber, long total, List<LogEntry> entries)
    {
        if (total > _options.MaxBodyBytes)
        {
            return new LogBodyError(lineNumber, $"The body is larger than {_options.MaxBodyBytes} bytes.", TooLarge: true);
        }

        if (line.Length > _options.MaxLineBytes)
        {
            return new LogBodyError(lineNumber, $"Line is longer than {_options.MaxLineBytes} bytes.", TooLarge: true);
        }

        var text = Encoding.UTF8.GetString(line).TrimEnd('\r');
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (entries.Count >= _options.MaxLines)
        {
            return new LogBodyError(lineNumber, $"The body holds more than {_options.MaxLines} lines.", TooLarge: true);
        }

        LogEntry? entry;
        try
        {
            using var reader = new JsonTextReader(new StringReader(text));
            entry = Serializer.Deserialize<LogEntry>(reader);
            if (reader.Read() && reader.TokenType != JsonToken.Comment)
            {
                return new LogBodyError(lineNumber, "Line holds more than one JSON value.", TooLarge: false);
            }
        }
        catch (JsonException error)
        {
            return new LogBodyError(lineNumber, "Line is not a valid log entry: " + Describe(error), TooLarge: false);
        }

        if (entry is null)
        {
            return new LogBodyError(lineNumber, "Line is not a JSON object.", TooLarge: false);
        }

        if (entry.Run == Guid.Empty)
        {
            return new LogBodyError(lineNumber, "'run' must be a non-empty UUID.", TooLarge: false);
        }

        if (entry.Seq < 0)
        {
            return new LogBodyError(lineNumber, "'seq' must not be negative.", TooLarge: false);
        }

        if (!entry.Stream.IsKnown)
        {
            return new LogBodyError(lineNumber, $"'stream' must be one of: {string.Join(", ", LogStream.Known)}.", TooLarge: false);
        }

        entries.Add(entry);
        return null;
    }

    // The first line of Newtonsoft's message names the member, path and position; the client sent the data itself.
    private static string Describe(JsonException error) => error.Message.Split('\n')[0].Trim();
}
