using Databacker.Api.Contracts;

namespace Databacker.Api.Client.Reporting;

/// <summary>
/// A phase of a run in progress (a script, a dump, an upload…). Disposing it records the "finished" event with
/// the measured duration; call <see cref="Fail"/> first to record a failure, and set <see cref="Bytes"/> or
/// <see cref="ExitCode"/> where they apply.
/// </summary>
public sealed class EventScope : IDisposable
{
    private readonly RunEvents _events;
    private readonly EventType _finished;
    private readonly string? _database;
    private readonly string? _target;
    private readonly string? _script;
    private readonly TimeProvider _time;
    private readonly long _started;
    private string? _error;
    private bool _disposed;

    internal EventScope(RunEvents events, EventType finished, string? database, string? target, string? script, TimeProvider time)
    {
        _events = events;
        _finished = finished;
        _database = database;
        _target = target;
        _script = script;
        _time = time;
        _started = time.GetTimestamp();
    }

    /// <summary>Bytes produced or transferred by the phase.</summary>
    public long? Bytes { get; set; }

    /// <summary>The exit code of a script.</summary>
    public int? ExitCode { get; set; }

    /// <summary>Whether the phase has been marked as failed.</summary>
    public bool Failed => _error is not null;

    /// <summary>Marks the phase as failed with a message safe to report (it is redacted as well).</summary>
    /// <param name="error">What went wrong.</param>
    public void Fail(string error) => _error = string.IsNullOrEmpty(error) ? "failed" : error;

    /// <summary>Records the finished event with the duration and outcome; later calls do nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var duration = (long)_time.GetElapsedTime(_started).TotalMilliseconds;
        _events.Record(_finished, e =>
        {
            e.Database = _database;
            e.Target = _target;
            e.Script = _script;
            e.DurationMs = duration;
            e.Bytes = Bytes;
            e.ExitCode = ExitCode;
            e.Error = _error;
        });
    }
}
