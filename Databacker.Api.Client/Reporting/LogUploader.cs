using System.Net;
using System.Text;
using System.Threading.Channels;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Contracts;
using Newtonsoft.Json;

namespace Databacker.Api.Client.Reporting;

/// <summary>
/// Ships a run's log lines as NDJSON, in requests bounded by size and time, redacting every line before it is
/// serialized. Memory is bounded by one chunk, however much is logged. A chunk the server refuses as too large
/// (413) is split in halves and resent; the server deduplicates resent lines by (run, seq).
/// </summary>
public sealed class LogUploader
{
    private static readonly JsonSerializer Serializer = JsonSerializer.Create(new JsonSerializerSettings
    {
        NullValueHandling = NullValueHandling.Ignore,
        DateFormatHandling = DateFormatHandling.IsoDateFormat,
        Formatting = Formatting.None,
    });

    private readonly Func<Stream, CancellationToken, Task<LogReceipt>> _send;
    private readonly SecretRedactor _redactor;
    private readonly LogUploaderOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates an uploader.</summary>
    /// <param name="send">Sends one NDJSON body, e.g. <c>(body, ct) => reporting.PostLogsAsync(body, instanceId, ct)</c>.</param>
    /// <param name="redactor">Removes secrets from every line before it is serialized.</param>
    /// <param name="options">Chunking options; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    public LogUploader(Func<Stream, CancellationToken, Task<LogReceipt>> send, SecretRedactor redactor, LogUploaderOptions? options = null, TimeProvider? timeProvider = null)
    {
        _send = send ?? throw new ArgumentNullException(nameof(send));
        _redactor = redactor ?? throw new ArgumentNullException(nameof(redactor));
        _options = options ?? new LogUploaderOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Uploads lines as they arrive until the channel completes.</summary>
    /// <param name="lines">The lines; complete the writer when the run ends.</param>
    /// <param name="cancellationToken">Stops the upload.</param>
    /// <returns>What was delivered.</returns>
    public async Task<LogUploadSummary> UploadAsync(ChannelReader<LogEntry> lines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var chunk = new List<byte[]>();
        var chunkBytes = 0;
        var summary = new LogUploadSummary(0, 0, 0);
        long? chunkStarted = null;

        while (true)
        {
            bool more;
            if (chunk.Count == 0)
            {
                more = await lines.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var remaining = _options.MaxChunkDelay - _time.GetElapsedTime(chunkStarted!.Value);
                more = remaining > TimeSpan.Zero && await WaitAsync(lines, remaining, cancellationToken).ConfigureAwait(false);
                if (!more && !lines.Completion.IsCompleted)
                {
                    // The chunk waited long enough: send it, then keep reading.
                    summary = Add(summary, await SendAsync(chunk, cancellationToken).ConfigureAwait(false));
                    chunk.Clear();
                    chunkBytes = 0;
                    continue;
                }
            }

            if (!more)
            {
                break;
            }

            while (lines.TryRead(out var entry))
            {
                var line = Serialize(entry);
                if (chunk.Count > 0 && chunkBytes + line.Length > _options.MaxChunkBytes)
                {
                    summary = Add(summary, await SendAsync(chunk, cancellationToken).ConfigureAwait(false));
                    chunk.Clear();
                    chunkBytes = 0;
                }

                if (chunk.Count == 0)
                {
                    chunkStarted = _time.GetTimestamp();
                }

                chunk.Add(line);
                chunkBytes += line.Length;
            }
        }

        if (chunk.Count > 0)
        {
            summary = Add(summary, await SendAsync(chunk, cancellationToken).ConfigureAwait(false));
        }

        return summary;
    }

    /// <summary>Uploads every line of a sequence.</summary>
    /// <param name="lines">The lines.</param>
    /// <param name="cancellationToken">Stops the upload.</param>
    /// <returns>What was delivered.</returns>
    public async Task<LogUploadSummary> UploadAsync(IAsyncEnumerable<LogEntry> lines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var channel = Channel.CreateBounded<LogEntry>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        var pump = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var line in lines.WithCancellation(cancellationToken).ConfigureAwait(false))
                    {
                        await channel.Writer.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                    }

                    channel.Writer.Complete();
                }
                catch (Exception error)
                {
                    channel.Writer.Complete(error);
                }
            },
            cancellationToken);
        var summary = await UploadAsync(channel.Reader, cancellationToken).ConfigureAwait(false);
        await pump.ConfigureAwait(false);
        await channel.Reader.Completion.ConfigureAwait(false);
        return summary;
    }

    private async Task<bool> WaitAsync(ChannelReader<LogEntry> lines, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            return await lines.WaitToReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private byte[] Serialize(LogEntry entry)
    {
        var message = _redactor.Redact(entry.Message);
        if (message.Length > _options.MaxMessageLength)
        {
            message = string.Concat(message.AsSpan(0, _options.MaxMessageLength), " [truncated]");
        }

        var redacted = new LogEntry
        {
            Run = entry.Run,
            Seq = entry.Seq,
            Timestamp = entry.Timestamp,
            Level = entry.Level,
            Stream = entry.Stream,
            Message = message,
            Fields = _redactor.Redact(entry.Fields),
        };

        var builder = new StringBuilder(message.Length + 160);
        using (var writer = new StringWriter(builder))
        {
            Serializer.Serialize(writer, redacted);
        }

        builder.Append('\n');
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private async Task<LogUploadSummary> SendAsync(List<byte[]> lines, CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var line in lines)
        {
            total += line.Length;
        }

        var body = new MemoryStream(total);
        foreach (var line in lines)
        {
            body.Write(line);
        }

        body.Position = 0;
        try
        {
            await _send(body, cancellationToken).ConfigureAwait(false);
            return new LogUploadSummary(lines.Count, 1, total);
        }
        catch (DatabackerApiException error) when (error.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            if (lines.Count == 1)
            {
                throw new DatabackerApiException(
                    $"The controller refuses even a single log line of {total} bytes as too large.", error.Details, error);
            }

            var half = lines.Count / 2;
            var first = await SendAsync(lines.GetRange(0, half), cancellationToken).ConfigureAwait(false);
            var second = await SendAsync(lines.GetRange(half, lines.Count - half), cancellationToken).ConfigureAwait(false);
            return Add(first, second);
        }
    }

    private static LogUploadSummary Add(LogUploadSummary a, LogUploadSummary b)
        => new(a.Lines + b.Lines, a.Requests + b.Requests, a.Bytes + b.Bytes);
}
