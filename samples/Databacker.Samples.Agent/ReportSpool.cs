using System.Net;
using System.Text;
using Databacker.Api.Client;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Contracts;
using Newtonsoft.Json;

namespace Databacker.Samples.Agent;

/// <summary>
/// Every report (a log chunk or an event batch, already redacted) is first appended to the durable
/// <see cref="FileOutbox"/> and then delivered from it, oldest first. So a report survives the controller being
/// unreachable and the agent being killed: whatever was not acknowledged is delivered on the next attempt or the
/// next run, and the controller deduplicates resent lines (run, seq) and events (id).
/// </summary>
internal sealed class ReportSpool
{
    private const string LogKind = "log";
    private const string EventsKind = "events";

    private readonly FileOutbox _outbox;
    private readonly IReportingClient _reporting;
    private readonly string _instance;
    private readonly TimeSpan _backoff;
    private DateTimeOffset _quietUntil = DateTimeOffset.MinValue;

    public ReportSpool(FileOutbox outbox, IReportingClient reporting, string instance, TimeSpan backoff)
    {
        _outbox = outbox;
        _reporting = reporting;
        _instance = instance;
        _backoff = backoff;
    }

    /// <summary>Reports delivered so far by this process.</summary>
    public int Delivered { get; private set; }

    /// <summary>Whether reports wait in the outbox.</summary>
    public bool HasPending => !_outbox.IsEmpty;

    /// <summary>The last delivery error, for the operator.</summary>
    public string? LastError { get; private set; }

    /// <summary>The <c>send</c> of a <see cref="LogUploader"/>: spools the NDJSON chunk, then tries to deliver.</summary>
    public async Task<LogReceipt> SpoolLogAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        await _outbox.AppendAsync(new OutboxRecord(LogKind, bytes), cancellationToken);
        await TryDeliverAsync(force: false, cancellationToken);
        return new LogReceipt { Accepted = bytes.Count(b => b == (byte)'\n'), Duplicates = 0 };
    }

    /// <summary>The <c>send</c> of <see cref="RunEvents.FlushAsync"/>: spools the batch, then tries to deliver.</summary>
    public async Task<EventReceipt> SpoolEventsAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(batch));
        await _outbox.AppendAsync(new OutboxRecord(EventsKind, bytes), cancellationToken);
        await TryDeliverAsync(force: false, cancellationToken);
        return new EventReceipt { Accepted = batch.Events.Count, Duplicates = 0 };
    }

    /// <summary>
    /// Delivers what the outbox holds, unless a delivery failed a moment ago (then the attempt is skipped, so an
    /// unreachable controller does not slow the run down) and <paramref name="force"/> is off.
    /// </summary>
    /// <returns>Whether the outbox is empty afterwards.</returns>
    public async Task<bool> TryDeliverAsync(bool force, CancellationToken cancellationToken)
    {
        if (!force && DateTimeOffset.UtcNow < _quietUntil)
        {
            return false;
        }

        var result = await _outbox.DeliverAsync(SendAsync, cancellationToken);
        Delivered += result.Delivered;
        if (result.CorruptBytesSkipped > 0)
        {
            Console.Error.WriteLine($"warning: skipped {result.CorruptBytesSkipped} damaged bytes in the outbox (a crash mid-write)");
        }

        if (result.Remaining)
        {
            _quietUntil = DateTimeOffset.UtcNow + _backoff;
            return false;
        }

        LastError = null;
        return true;
    }

    private async Task SendAsync(OutboxRecord record, CancellationToken cancellationToken)
    {
        try
        {
            switch (record.Kind)
            {
                case LogKind:
                    await SendLogAsync(record.Payload, cancellationToken);
                    break;
                case EventsKind:
                    var batch = JsonConvert.DeserializeObject<EventBatch>(Encoding.UTF8.GetString(record.Payload))
                        ?? throw new InvalidDataException("an empty event batch in the outbox");
                    await _reporting.PostEventsAsync(batch, _instance, cancellationToken);
                    break;
                default:
                    Console.Error.WriteLine($"warning: dropped an outbox record of unknown kind '{record.Kind}'");
                    break;
            }
        }
        catch (DatabackerApiException error) when (error.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
        {
            // The controller will never accept this record; keeping it would block everything behind it.
            Console.Error.WriteLine($"warning: the controller refused a spooled {record.Kind} report and it was dropped: {CommandRunner.Describe(error)}");
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            LastError = CommandRunner.Describe(error);
            throw;
        }
    }

    private async Task SendLogAsync(byte[] ndjson, CancellationToken cancellationToken)
    {
        try
        {
            using var body = new MemoryStream(ndjson, writable: false);
            await _reporting.PostLogsAsync(body, _instance, cancellationToken);
        }
        catch (DatabackerApiException error) when (error.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            // Too large for this controller: send it in halves, split at a line boundary.
            var middle = Array.IndexOf(ndjson, (byte)'\n', ndjson.Length / 2);
            if (middle < 0 || middle == ndjson.Length - 1)
            {
                middle = Array.IndexOf(ndjson, (byte)'\n');
            }

            if (middle < 0 || middle == ndjson.Length - 1)
            {
                throw;
            }

            await SendLogAsync(ndjson[..(middle + 1)], cancellationToken);
            await SendLogAsync(ndjson[(middle + 1)..], cancellationToken);
        }
    }
}
