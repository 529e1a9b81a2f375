using System.Net;
using System.Text;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json;

namespace Databacker.Api.Client.Reporting;

/// <summary>
/// Delivers an agent's reports (log chunks from a <see cref="LogUploader"/>, event batches from
/// <see cref="RunEvents"/>) to the controller. With a <see cref="ReportingSenderOptions.SpoolDirectory"/>, every
/// report is first appended to a durable <see cref="FileOutbox"/> and acknowledged to its producer once it is on
/// disk, then delivered from the outbox oldest first: a report survives the controller being unreachable and the
/// agent being killed, and goes out in order on the next attempt or the next run. Delivery is at least once on the
/// wire and exactly once in effect, as the controller deduplicates lines by (run, seq) and events by id. Without a
/// spool directory, reports are sent directly. Thread-safe.
/// </summary>
public sealed class ReportingSender
{
    // The spool keeps batches as the contract's JSON: what goes in comes out the same (attributes that look like dates
    // included), whatever an application set as Json.NET's global defaults.
    private static readonly JsonSerializerSettings SpoolJson = Contracts.Serialization.ContractJsonSettings.Create();

    private const string LogKind = "log";
    private const string EventsKind = "events";

    private readonly IReportingClient _reporting;
    private readonly string _instance;
    private readonly ReportingSenderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FileOutbox? _outbox;
    private long _quietUntil = long.MinValue;
    private int _delivered;
    private volatile string? _lastError;

    /// <summary>Creates a sender.</summary>
    /// <param name="reporting">The reporting client (e.g. <see cref="DependencyInjection.DatabackerClient.Reporting"/>).</param>
    /// <param name="instance">This instance's id.</param>
    /// <param name="options">Where to spool and how; no spool (direct sending) when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    /// <param name="logger">Where delivery problems are logged.</param>
    public ReportingSender(IReportingClient reporting, string instance, ReportingSenderOptions? options = null, TimeProvider? timeProvider = null, ILogger<ReportingSender>? logger = null)
    {
        _reporting = reporting ?? throw new ArgumentNullException(nameof(reporting));
        ArgumentException.ThrowIfNullOrWhiteSpace(instance);
        _instance = instance;
        _options = options ?? new ReportingSenderOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ReportingSender>.Instance;
        if (_options.SpoolDirectory is { } directory)
        {
            _outbox = new FileOutbox(new FileOutboxOptions
            {
                Directory = directory,
                MaxBytes = _options.MaxSpoolBytes,
                // A segment holds a whole log chunk (4 MiB by default, and its record header).
                SegmentBytes = Math.Min(8L * 1024 * 1024, _options.MaxSpoolBytes),
                WhenFull = _options.WhenFull,
            });
            _largestSpooledChunk = (int)Math.Min(int.MaxValue, _outbox.LargestPayload(LogKind));
        }
    }

    // The largest log chunk one spool segment holds; the uploaders this sender creates cut their chunks within it.
    private readonly int _largestSpooledChunk = int.MaxValue;

    /// <summary>Whether reports wait in the spool.</summary>
    public bool HasPending => _outbox is { IsEmpty: false };

    /// <summary>Reports delivered from the spool by this sender so far.</summary>
    public int Delivered => Volatile.Read(ref _delivered);

    /// <summary>Why the last delivery from the spool failed, or <see langword="null"/> after one succeeded.</summary>
    public string? LastError => _lastError;

    /// <summary>An uploader whose chunks go through this sender.</summary>
    /// <param name="redactor">Removes secrets from every line.</param>
    /// <param name="options">Chunking options.</param>
    /// <returns>The uploader.</returns>
    /// <remarks>With a spool, chunks are cut within what one spool segment holds, also when
    /// <see cref="LogUploaderOptions.MaxChunkBytes"/> is larger.</remarks>
    public LogUploader CreateLogUploader(SecretRedactor redactor, LogUploaderOptions? options = null)
        => new(SendLogAsync, redactor, options, _time, _logger, _largestSpooledChunk);

    /// <summary>
    /// Sends one NDJSON log body, or spools it (then the receipt counts the lines as accepted once they are on disk)
    /// and delivers a few spooled reports, oldest first (the rest with later reports, or <see cref="DeliverPendingAsync"/>;
    /// none while another delivery is under way: that one, or a later report, delivers them), so a slow controller never
    /// holds the caller beyond its own few sends.
    /// The <c>send</c> of a <see cref="LogUploader"/>.
    /// </summary>
    /// <param name="body">The NDJSON body.</param>
    /// <param name="cancellationToken">Stops the operation.</param>
    /// <returns>The controller's receipt, or the spool's.</returns>
    /// <exception cref="OutboxFullException">The spool is full and its policy rejects new reports.</exception>
    public async Task<LogReceipt> SendLogAsync(Stream body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (_outbox is null)
        {
            return await _reporting.PostLogsAsync(body, _instance, cancellationToken).ConfigureAwait(false);
        }

        // Bounded by the uploader's chunk size.
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        await _outbox.AppendAsync(new OutboxRecord(LogKind, bytes), cancellationToken).ConfigureAwait(false);
        await DeliverSpoolAsync(force: false, InlineDeliveryBudget, inline: true, cancellationToken).ConfigureAwait(false);
        return new LogReceipt { Accepted = bytes.AsSpan().Count((byte)'\n'), Duplicates = 0 };
    }

    /// <summary>
    /// Sends one event batch, or spools it (then the receipt counts its events as accepted once they are on disk)
    /// and delivers a few spooled reports, oldest first (the rest with later reports, or <see cref="DeliverPendingAsync"/>;
    /// none while another delivery is under way: that one, or a later report, delivers them), so a slow controller never
    /// holds the caller beyond its own few sends.
    /// The <c>send</c> of <see cref="RunEvents.FlushAsync"/>.
    /// </summary>
    /// <param name="batch">The events.</param>
    /// <param name="cancellationToken">Stops the operation.</param>
    /// <returns>The controller's receipt, or the spool's.</returns>
    /// <exception cref="OutboxFullException">The spool is full and its policy rejects new reports.</exception>
    public async Task<EventReceipt> SendEventsAsync(EventBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_outbox is null)
        {
            return await _reporting.PostEventsAsync(batch, _instance, cancellationToken).ConfigureAwait(false);
        }

        // Cut to fit before anything is spooled, so that a failure cannot leave part of the batch spooled (and spooled
        // again when the caller retries the whole batch).
        var parts = new List<byte[]>();
        CutToFit(batch, batch.Events, parts);
        foreach (var part in parts)
        {
            await _outbox.AppendAsync(new OutboxRecord(EventsKind, part), cancellationToken).ConfigureAwait(false);
            await DeliverSpoolAsync(force: false, InlineDeliveryBudget, inline: true, cancellationToken).ConfigureAwait(false);
        }

        return new EventReceipt { Accepted = batch.Events.Count, Duplicates = 0 };
    }

    // A batch larger than a spool segment is spooled in halves (as a log chunk is cut to fit), each part keeping the
    // batch's own unknown members: refused whole, it would be refused again on every flush, its events never delivered.
    // One event that alone is larger than a segment can never be spooled: it is dropped and logged, as one the
    // controller refuses as too large is.
    private void CutToFit(EventBatch batch, IList<Event> events, List<byte[]> parts)
    {
        var part = new EventBatch { Events = events, AdditionalProperties = batch.AdditionalProperties };
        var bytes = Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(part, SpoolJson));
        if (bytes.Length <= _outbox!.LargestPayload(EventsKind))
        {
            parts.Add(bytes);
        }
        else if (events.Count > 1)
        {
            var half = events.Count / 2;
            CutToFit(batch, [.. events.Take(half)], parts);
            CutToFit(batch, [.. events.Skip(half)], parts);
        }
        else
        {
            ReportingSenderLog.EventTooLarge(_logger, events[0].Id, bytes.Length);
        }
    }

    /// <summary>
    /// Delivers what the spool holds, oldest first, until it is empty or a delivery fails. Unless
    /// <paramref name="force"/> is set, nothing is tried for <see cref="ReportingSenderOptions.RetryDelay"/> after a
    /// failure. A report the controller refuses as invalid (400, 422) is dropped and logged, so it cannot block the
    /// ones behind it; a log chunk or event batch refused as too large (413) is resent in halves, and a single line or
    /// event still too large is dropped and logged likewise.
    /// </summary>
    /// <param name="force">Try now even right after a failure (e.g. at the start or the end of a run).</param>
    /// <param name="cancellationToken">Stops delivery.</param>
    /// <returns>Whether the spool is empty afterwards.</returns>
    public Task<bool> DeliverPendingAsync(bool force = true, CancellationToken cancellationToken = default) =>
        DeliverSpoolAsync(force, int.MaxValue, inline: false, cancellationToken);

    // After saving a report, the sender delivers at most this many spooled reports before returning: the backlog of
    // an outage drains a few per report (and wholly at DeliverPendingAsync), instead of the first report after the
    // outage waiting for all of it while the uploader's queue and the child's output pipes fill up.
    private const int InlineDeliveryBudget = 4;

    // inline: a report was just spooled; it does not wait for a pass that is running already (another report's, or
    // DeliverPendingAsync's), since that pass, or a later one, delivers it.
    private async Task<bool> DeliverSpoolAsync(bool force, int maxRecords, bool inline, CancellationToken cancellationToken)
    {
        if (_outbox is null)
        {
            return true;
        }

        if (!force && _time.GetTimestamp() < Interlocked.Read(ref _quietUntil))
        {
            return false;
        }

        var result = inline
            ? await _outbox.TryDeliverSomeAsync(DeliverAsync, maxRecords, cancellationToken).ConfigureAwait(false)
            : await _outbox.DeliverSomeAsync(DeliverAsync, maxRecords, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return false;
        }

        Interlocked.Add(ref _delivered, result.Delivered);
        if (result.CorruptBytesSkipped > 0)
        {
            ReportingSenderLog.CorruptSkipped(_logger, result.CorruptBytesSkipped);
        }

        // Records left after fewer sends than the budget: a send failed (a pass that spent its budget stops before the
        // next record, never during it).
        if (result.Remaining && result.Delivered < maxRecords)
        {
            Interlocked.Exchange(ref _quietUntil, _time.GetTimestamp() + (long)(_options.RetryDelay.TotalSeconds * _time.TimestampFrequency));
            return false;
        }

        if (result.Remaining)
        {
            // Only the budget of this pass is spent; the rest goes with the next report or DeliverPendingAsync.
            return false;
        }

        if (result.Delivered > 0)
        {
            ReportingSenderLog.Delivered(_logger, result.Delivered);
        }

        _lastError = null;
        return true;
    }

    private async Task DeliverAsync(OutboxRecord record, CancellationToken cancellationToken)
    {
        try
        {
            switch (record.Kind)
            {
                case LogKind:
                    await DeliverLogAsync(record.Payload, cancellationToken).ConfigureAwait(false);
                    break;
                case EventsKind:
                    var batch = JsonConvert.DeserializeObject<EventBatch>(Encoding.UTF8.GetString(record.Payload), SpoolJson)
                        ?? throw new InvalidDataException("An empty event batch in the spool.");
                    await DeliverEventsAsync(batch, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    ReportingSenderLog.UnknownKind(_logger, record.Kind);
                    break;
            }
        }
        catch (DatabackerApiException error) when (error.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
        {
            // The controller will never take this record; keeping it would block everything behind it.
            ReportingSenderLog.Refused(_logger, record.Kind, (int)error.StatusCode);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            _lastError = error.Message;
            ReportingSenderLog.DeliveryFailed(_logger, error, "the report and the ones after it are");
            throw;
        }
    }

    // Events are deduplicated by id, so a batch refused as too large is resent in halves down to single events.
    private async Task DeliverEventsAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            await _reporting.PostEventsAsync(batch, _instance, cancellationToken).ConfigureAwait(false);
        }
        catch (DatabackerApiException error) when (error.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            if (batch.Events.Count == 1)
            {
                // One event the controller will never take: dropped, so it cannot block the reports behind it.
                ReportingSenderLog.Refused(_logger, EventsKind, (int)error.StatusCode);
                return;
            }

            var half = batch.Events.Count / 2;
            await DeliverEventsAsync(new EventBatch { Events = batch.Events.Take(half).ToList() }, cancellationToken).ConfigureAwait(false);
            await DeliverEventsAsync(new EventBatch { Events = batch.Events.Skip(half).ToList() }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeliverLogAsync(ReadOnlyMemory<byte> ndjson, CancellationToken cancellationToken)
    {
        try
        {
            using var body = new MemoryStream(ndjson.ToArray(), writable: false);
            await _reporting.PostLogsAsync(body, _instance, cancellationToken).ConfigureAwait(false);
        }
        catch (DatabackerApiException error) when (error.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            // Too large for this controller: resend in halves, cut between two lines, down to single lines.
            var cut = LineBoundaryNearTheMiddle(ndjson.Span);
            if (cut <= 0)
            {
                // One line the controller will never take: dropped, so it cannot block the lines and reports behind it.
                ReportingSenderLog.Refused(_logger, LogKind, (int)error.StatusCode);
                return;
            }

            await DeliverLogAsync(ndjson[..cut], cancellationToken).ConfigureAwait(false);
            await DeliverLogAsync(ndjson[cut..], cancellationToken).ConfigureAwait(false);
        }
    }

    // The start of the line after the line end nearest the middle, or 0 when the body is one line.
    private static int LineBoundaryNearTheMiddle(ReadOnlySpan<byte> ndjson)
    {
        var lines = ndjson.Length > 0 && ndjson[^1] == (byte)'\n' ? ndjson[..^1] : ndjson;
        var half = lines.Length / 2;
        var after = lines[half..].IndexOf((byte)'\n');
        return after >= 0 ? half + after + 1 : lines[..half].LastIndexOf((byte)'\n') + 1;
    }
}
