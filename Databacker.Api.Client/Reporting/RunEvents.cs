using Databacker.Api.Contracts;

namespace Databacker.Api.Client.Reporting;

/// <summary>
/// Records the structured events of one backup run (run started and finished, scripts, per-database dumps,
/// per-target uploads, prune, restore) with ids fixed at creation, so that a resend after a failure is
/// deduplicated by the controller. Every text is redacted when the event is recorded. Thread-safe.
/// </summary>
public sealed class RunEvents
{
    /// <summary>The most events the contract allows in one batch.</summary>
    public const int MaxBatchSize = 1000;

    private readonly SecretRedactor _redactor;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<Event> _pending = [];

    // One flush at a time: two would send the same first batch and then both remove it, dropping events never sent.
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>Creates the recorder of a run.</summary>
    /// <param name="run">The run id.</param>
    /// <param name="redactor">Removes secrets from every text.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    public RunEvents(Guid run, SecretRedactor redactor, TimeProvider? timeProvider = null)
    {
        Run = run;
        _redactor = redactor ?? throw new ArgumentNullException(nameof(redactor));
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The run id.</summary>
    public Guid Run { get; }

    /// <summary>Events recorded and not yet delivered.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Records one event.</summary>
    /// <param name="type">The kind of event.</param>
    /// <param name="configure">Sets the event's other fields.</param>
    /// <returns>The recorded (redacted) event.</returns>
    public Event Record(EventType type, Action<Event>? configure = null)
    {
        var e = new Event { Id = Guid.NewGuid(), Run = Run, Type = type, Timestamp = _time.GetUtcNow() };
        configure?.Invoke(e);
        e.Error = e.Error is null ? null : _redactor.Redact(e.Error);
        e.Database = e.Database is null ? null : _redactor.Redact(e.Database);
        e.Target = e.Target is null ? null : _redactor.Redact(e.Target);
        e.Script = e.Script is null ? null : _redactor.Redact(e.Script);
        e.Attributes = _redactor.Redact(e.Attributes);
        if (e.AdditionalProperties.Count > 0)
        {
            // Members a newer contract adds are sent too ([JsonExtensionData]): redacted like the attributes.
            e.AdditionalProperties = _redactor.Redact(e.AdditionalProperties)!;
        }

        lock (_gate)
        {
            _pending.Add(e);
        }

        return e;
    }

    /// <summary>
    /// Records a "started" event now and returns a scope that records the matching "finished" event, with the
    /// measured duration and the outcome, when disposed.
    /// </summary>
    /// <param name="started">The started event kind, e.g. <see cref="EventType.DumpStarted"/>.</param>
    /// <param name="finished">The finished event kind, e.g. <see cref="EventType.DumpFinished"/>.</param>
    /// <param name="database">The database concerned, if any.</param>
    /// <param name="target">The target concerned, if any.</param>
    /// <param name="script">The script concerned, if any.</param>
    /// <returns>The scope.</returns>
    public EventScope Begin(EventType started, EventType finished, string? database = null, string? target = null, string? script = null)
    {
        Record(started, e =>
        {
            e.Database = database;
            e.Target = target;
            e.Script = script;
        });
        return new EventScope(this, finished, database, target, script, _time);
    }

    /// <summary>
    /// Delivers pending events in batches of at most <see cref="MaxBatchSize"/>. A batch is removed only once
    /// acknowledged, so a failed flush can simply be repeated: ids are unchanged and the controller deduplicates.
    /// Concurrent flushes take turns.
    /// </summary>
    /// <param name="send">Sends one batch, e.g. <c>(batch, ct) => reporting.PostEventsAsync(batch, instanceId, ct)</c>.</param>
    /// <param name="cancellationToken">Stops delivery.</param>
    /// <returns>The number of events acknowledged.</returns>
    public async Task<int> FlushAsync(Func<EventBatch, CancellationToken, Task<EventReceipt>> send, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(send);
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await FlushPendingAsync(send, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task<int> FlushPendingAsync(Func<EventBatch, CancellationToken, Task<EventReceipt>> send, CancellationToken cancellationToken)
    {
        var delivered = 0;
        while (true)
        {
            List<Event> batch;
            lock (_gate)
            {
                batch = _pending.Take(MaxBatchSize).ToList();
            }

            if (batch.Count == 0)
            {
                return delivered;
            }

            await send(new EventBatch { Events = batch }, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _pending.RemoveRange(0, batch.Count);
            }

            delivered += batch.Count;
        }
    }
}
