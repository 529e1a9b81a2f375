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
/// Memory is bounded by the configured limits, never by what a client sends: besides the body, line and line-count
/// limits, the JSON values nested in a line's <c>fields</c> and unknown members (each held as an object in memory, many
/// times its few bytes of text) are counted, per line and per body (<see cref="NdjsonLogReaderOptions"/>).
/// </summary>
public sealed class NdjsonLogReader
{
    // The contract's rules (ContractJsonSettings): a date-like text in fields or unknown members stays the text the agent
    // sent, and the typed timestamp is an RFC 3339 date-time with its offset (an offset out of
    // range, or none, is a bad line rather than an ArgumentOutOfRangeException or a time in this server's zone).
    private static readonly JsonSerializer Serializer = JsonSerializer.Create(Contracts.Serialization.ContractJsonSettings.Apply(new JsonSerializerSettings
    {
        MissingMemberHandling = MissingMemberHandling.Ignore,
        MaxDepth = 32,
        ContractResolver = new Binding.StrictContractResolver(), // "level":null or "seq":1.5 is a bad line, as the contract says
    }));

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
        var entries = new List<LogEntry>();
        var error = await ReadCoreAsync(body, entries, int.MaxValue, null, cancellationToken).ConfigureAwait(false);
        return error is null ? LogBodyReadResult.Success(entries) : LogBodyReadResult.Failure(error);
    }

    /// <summary>
    /// Reads and validates a body incrementally, handing valid lines to <paramref name="onBatch"/> in batches while
    /// it reads, so memory stays bounded by one batch however large the body is: a batch is handed over at
    /// <paramref name="batchSize"/> lines, or earlier once its lines hold 65,536 nested JSON values. The all-or-nothing contract is the
    /// caller's: stage the batches (e.g. in a transaction) and commit only when the result is <see langword="null"/>.
    /// </summary>
    /// <param name="body">The request body.</param>
    /// <param name="onBatch">Takes each batch of valid lines, in body order; the list is reused after it returns.</param>
    /// <param name="batchSize">The most lines in one batch (default 1000).</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns><see langword="null"/> when every line was valid, otherwise the first error.</returns>
    public async Task<LogBodyError?> ReadBatchesAsync(Stream body, Func<IReadOnlyList<LogEntry>, CancellationToken, ValueTask> onBatch, int batchSize = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var batch = new List<LogEntry>(Math.Min(batchSize, 4096));
        return await ReadCoreAsync(body, batch, batchSize, onBatch, cancellationToken).ConfigureAwait(false);
    }

    private async Task<LogBodyError?> ReadCoreAsync(Stream body, List<LogEntry> entries, int batchSize, Func<IReadOnlyList<LogEntry>, CancellationToken, ValueTask>? onBatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        var state = new ReadState { Text = new CharBufferReader(), Batched = onBatch is not null };
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = read.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    var error = Accept(line, 1, ref state, entries);
                    if (error is not null)
                    {
                        return error;
                    }

                    if (onBatch is not null && (entries.Count >= batchSize || state.BatchValues >= BatchValueBudget))
                    {
                        await onBatch(entries, cancellationToken).ConfigureAwait(false);
                        entries.Clear();
                        state.BatchValues = 0;
                    }
                }

                if (buffer.Length > _options.MaxLineBytes)
                {
                    return new LogBodyError(state.LineNumber + 1, $"Line is longer than {_options.MaxLineBytes} bytes.", TooLarge: true) { LimitBytes = _options.MaxLineBytes };
                }

                if (read.IsCompleted && !buffer.IsEmpty)
                {
                    // A last line without a trailing newline.
                    var error = Accept(buffer, 0, ref state, entries);
                    if (error is not null)
                    {
                        return error;
                    }
                }

                if (onBatch is not null && read.IsCompleted && entries.Count > 0)
                {
                    await onBatch(entries, cancellationToken).ConfigureAwait(false);
                    entries.Clear();
                }

                if (read.IsCompleted)
                {
                    break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        return state.Lines == 0 ? new LogBodyError(0, "The body holds no log line.", TooLarge: false) : null;
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

    // The contract's limits of a log entry (openapi.yaml, LogEntry).
    private const int MaxLevelLength = 16;
    private const int MaxMessageLength = 65536;

    // Invalid bytes are an error of the line, not silently replaced by U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private LogBodyError? Accept(ReadOnlySequence<byte> line, int newline, ref ReadState state, List<LogEntry> entries)
    {
        var lineNumber = ++state.LineNumber;
        state.Total += line.Length + newline;
        if (state.Total > _options.MaxBodyBytes)
        {
            return new LogBodyError(lineNumber, $"The body is larger than {_options.MaxBodyBytes} bytes.", TooLarge: true) { LimitBytes = _options.MaxBodyBytes };
        }

        if (line.Length > _options.MaxLineBytes)
        {
            return new LogBodyError(lineNumber, $"Line is longer than {_options.MaxLineBytes} bytes.", TooLarge: true) { LimitBytes = _options.MaxLineBytes };
        }

        LogEntry? entry;

        // Decoded into a pooled buffer and parsed from there: no string per line besides the entry's own values.
        var chars = ArrayPool<char>.Shared.Rent((int)line.Length);
        try
        {
            var length = StrictUtf8.GetChars(line, chars);
            var text = chars.AsSpan(0, length).TrimEnd('\r');
            if (text.IsWhiteSpace())
            {
                return null;
            }

            if (state.Lines >= _options.MaxLines)
            {
                return new LogBodyError(lineNumber, $"The body holds more than {_options.MaxLines} lines.", TooLarge: true);
            }

            // JSON as RFC 8259 defines it, not the JavaScript Json.NET also reads ([1,,2], undefined, NaN, comments, 1e400),
            // which the run log would otherwise serve back to readers as lines no JSON parser reads.
            if (Binding.StrictJsonSyntax.Check(line) is { } syntax)
            {
                return new LogBodyError(lineNumber, "Line is not a valid log entry: " + syntax, TooLarge: false);
            }

            state.Text.Reset(chars, text.Length);
            // The body's limit bounds what ReadAsync holds; batches hold one batch at a time, and need only the line's.
            var lineValues = state.Batched ? _options.MaxNestedValuesPerLine : Math.Min(_options.MaxNestedValuesPerLine, _options.MaxNestedValuesPerBody - state.Values);
            using var reader = new CountingJsonTextReader(state.Text, lineValues) { ArrayPool = JsonCharArrayPool.Shared, CloseInput = false };
            try
            {
                entry = Serializer.Deserialize<LogEntry>(reader);

                // Another value may not follow (the syntax check has refused comments).
                if (reader.Read())
                {
                    return new LogBodyError(lineNumber, "Line holds more than one JSON value.", TooLarge: false);
                }
            }
            finally
            {
                state.Values += reader.NestedValues;
                state.BatchValues += reader.NestedValues;
            }
        }
        catch (TooManyValuesException)
        {
            return !state.Batched && state.Values >= _options.MaxNestedValuesPerBody
                ? new LogBodyError(lineNumber, $"The body holds more than {_options.MaxNestedValuesPerBody} JSON values in fields.", TooLarge: true)
                : new LogBodyError(lineNumber, $"Line holds more than {_options.MaxNestedValuesPerLine} JSON values in fields.", TooLarge: true);
        }
        catch (JsonException error)
        {
            return new LogBodyError(lineNumber, "Line is not a valid log entry: " + Describe(error), TooLarge: false);
        }
        catch (DecoderFallbackException)
        {
            return new LogBodyError(lineNumber, "Line is not valid UTF-8.", TooLarge: false);
        }
        catch (Exception error) when (error is ArgumentException or FormatException or OverflowException or InvalidCastException)
        {
            // A value Newtonsoft read but could not convert (a timestamp offset beyond ±14 hours, say): the line's fault.
            return new LogBodyError(lineNumber, "Line is not a valid log entry: " + error.Message.Split('\n')[0].Trim(), TooLarge: false);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
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

        if (entry.Level is { Length: > MaxLevelLength } level && level.EnumerateRunes().Count() > MaxLevelLength)
        {
            return new LogBodyError(lineNumber, $"'level' must be at most {MaxLevelLength} characters.", TooLarge: false);
        }

        if (entry.Message is null)
        {
            return new LogBodyError(lineNumber, "'message' is required.", TooLarge: false);
        }

        // In characters as JSON Schema counts them (code points), so a message of astral characters is not cut short.
        if (entry.Message.Length > MaxMessageLength && entry.Message.EnumerateRunes().Count() > MaxMessageLength)
        {
            return new LogBodyError(lineNumber, $"'message' must be at most {MaxMessageLength} characters.", TooLarge: false);
        }

        entries.Add(entry);
        state.Lines++;
        return null;
    }

    private struct ReadState
    {
        public CharBufferReader Text;
        public long LineNumber;
        public long Total;
        public long Lines;
        public long Values;
        public long BatchValues;
        public bool Batched;
    }

    // A batch of ReadBatchesAsync is handed over early once its lines hold this many nested values.
    private const int BatchValueBudget = 64 * 1024;

    /// <summary>
    /// Counts the JSON values nested below a line's own members (depth 2 and more: what <c>fields</c> and unknown
    /// members hold, each kept as an object in memory) and stops the line at the limit.
    /// </summary>
    private sealed class CountingJsonTextReader(TextReader text, long limit) : JsonTextReader(text)
    {
        public long NestedValues { get; private set; }

        public override bool Read()
        {
            if (!base.Read())
            {
                return false;
            }

            if (Depth >= 2 && TokenType is not (JsonToken.EndObject or JsonToken.EndArray or JsonToken.Comment) && ++NestedValues > limit)
            {
                throw new TooManyValuesException();
            }

            return true;
        }
    }

    private sealed class TooManyValuesException : Exception;

    // The first line of Newtonsoft's message names the member, path and position; the client sent the data itself.
    private static string Describe(JsonException error) => error.Message.Split('\n')[0].Trim();
}
