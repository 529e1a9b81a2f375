using Polly.Timeout;

namespace Databacker.Api.Client.Resilience;

/// <summary>
/// The attempt and total timeouts of one call, with one timer (from the injected <see cref="TimeProvider"/>) armed
/// for whichever deadline comes first, and no linked token sources: the caller's token, the timer and the retry
/// delay all go through this object.
/// </summary>
/// <remarks>
/// <see cref="CallToken"/> (the Polly context's token) is cancelled by the caller or the total deadline, so the
/// total timeout also ends a retry delay; each attempt gets its own token, cancelled by either of those or by its
/// own deadline, min(attempt deadline, total deadline).
/// </remarks>
internal class CallTimeouts : IDisposable
{
    private static readonly TimeSpan MaxDue = TimeSpan.FromDays(30);

    private readonly TimeProvider _time;
    private readonly TimeSpan _attemptTimeout;
    private readonly long _totalDeadline;
    private readonly CancellationTokenSource _call = new();
    private readonly CancellationTokenRegistration _callerRegistration;
    private ITimer? _timer;
    private CancellationTokenSource? _attempt;
    private long _attemptDeadline;
    private bool _attemptTimedOut;
    private bool _disposed;
    private bool _callCancelled;

    public CallTimeouts(TimeProvider time, TimeSpan attemptTimeout, TimeSpan totalTimeout, long startedAt, CancellationToken callerToken)
    {
        _time = time;
        _attemptTimeout = attemptTimeout;
        _totalDeadline = startedAt + Ticks(totalTimeout);
        if (callerToken.CanBeCanceled)
        {
            _callerRegistration = callerToken.UnsafeRegister(static state => ((CallTimeouts)state!).Cancel(total: false), this);
        }
    }

    // The lock: this object itself (internal, never handed out as a lock), saving a lock object per call.
    private object Gate => this;

    /// <summary>Cancelled when the caller cancels or the total timeout fires; never by an attempt timeout.</summary>
    public CancellationToken CallToken => _call.Token;

    /// <summary>Whether the total timeout fired (rather than the caller cancelling).</summary>
    public bool TotalTimedOut { get; private set; }

    /// <summary>Starts an attempt: returns its token source and arms the timer for its deadline.</summary>
    public CancellationTokenSource BeginAttempt()
    {
        lock (Gate)
        {
            // Reused while nothing cancelled it (the success path allocates one per call).
            var attempt = _attempt is { } previous && previous.TryReset() ? previous : new CancellationTokenSource();
            _attempt = attempt;
            _attemptTimedOut = false;
            _attemptDeadline = _time.GetTimestamp() + Ticks(_attemptTimeout);
            if (_callCancelled)
            {
                attempt.Cancel();
            }
            else
            {
                Arm(Math.Min(_attemptDeadline, _totalDeadline));
            }

            return attempt;
        }
    }

    /// <summary>Whether <paramref name="attempt"/> was cancelled by its own (attempt) deadline, not by the caller or the total timeout.</summary>
    public bool AttemptTimedOut(CancellationTokenSource attempt)
    {
        lock (Gate)
        {
            return ReferenceEquals(attempt, _attempt) && _attemptTimedOut && !_callCancelled;
        }
    }

    /// <summary>Ends the current attempt; the timer then only waits for the total deadline.</summary>
    public void EndAttempt()
    {
        lock (Gate)
        {
            _attemptDeadline = long.MaxValue;
        }
    }

    public void Dispose()
    {
        _callerRegistration.Dispose();
        lock (Gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _attempt?.Dispose();
        }

        _call.Dispose();
    }

    private void Arm(long deadline)
    {
        // At most MaxDue at a time (the system timer takes up to ~49 days); OnTimer arms again for what is left.
        var due = TimeSpan.FromSeconds(Math.Min(Math.Max(0, deadline - _time.GetTimestamp()) / (double)_time.TimestampFrequency, MaxDue.TotalSeconds));
        if (_timer is null)
        {
            _timer = _time.CreateTimer(static state => ((CallTimeouts)state!).OnTimer(), this, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        CancellationTokenSource? cancelAttempt = null;
        var total = false;
        lock (Gate)
        {
            if (_disposed || _callCancelled)
            {
                return;
            }

            var now = _time.GetTimestamp();
            if (now >= _totalDeadline)
            {
                total = true;
            }
            else if (_attempt is { } attempt && now >= _attemptDeadline)
            {
                _attemptTimedOut = true;
                _attemptDeadline = long.MaxValue;
                cancelAttempt = attempt;
                Arm(_totalDeadline);
            }
            else
            {
                // Early (a coarse clock) or an earlier arming: wait for what is due next.
                Arm(Math.Min(_attemptDeadline, _totalDeadline));
            }
        }

        if (total)
        {
            Cancel(total: true);
        }
        else
        {
            try
            {
                cancelAttempt?.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private void Cancel(bool total)
    {
        CancellationTokenSource? attempt;
        lock (Gate)
        {
            if (_disposed || _callCancelled)
            {
                return;
            }

            TotalTimedOut = total;
            _callCancelled = true;
            attempt = _attempt;
        }

        // Outside the lock: cancelling runs the tokens' callbacks synchronously. A call disposed meanwhile has ended.
        try
        {
            _call.Cancel();
            attempt?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private long Ticks(TimeSpan timeout) => (long)Math.Min(timeout.TotalSeconds * _time.TimestampFrequency, long.MaxValue / 4);

    /// <summary>The exception an attempt timeout raises (retried and counted by the breaker like Polly's own).</summary>
    public TimeoutRejectedException AttemptTimeoutError(Exception inner) =>
        new($"The attempt timeout of {_attemptTimeout} elapsed.", _attemptTimeout, inner);
}
