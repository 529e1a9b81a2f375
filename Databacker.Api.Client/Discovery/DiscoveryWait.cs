using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;

namespace Databacker.Api.Client.Discovery;

/// <summary>
/// A call's wait for the discovery document, within the call's own <see cref="DatabackerRequestOverrides.Timeout"/>:
/// the fetch itself is shared with other callers and keeps the configured timeouts, but this call stops waiting at its
/// own limit, and whatever the wait took is taken off the time the call has left.
/// </summary>
internal static class DiscoveryWait
{
    // Task.WaitAsync takes at most about 49.7 days; a longer limit (valid for a call) is no limit on this wait.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(49);

    /// <summary>Whether <paramref name="error"/> is this wait running out, not the discovery fetch failing.</summary>
    public static bool IsOwnTimeout(Exception error) => error is CallTimedOutException { InnerException: WaitTimedOut };

    public static async Task<DiscoveredEndpoints> WithinCallTimeoutAsync(
        Task<DiscoveredEndpoints> discovering, HttpRequestMessage request, TimeProvider time, CancellationToken cancellationToken)
    {
        if (discovering.IsCompleted
            || !request.Options.TryGetValue(PipelineOptionKeys.Overrides, out var overrides)
            || overrides.Timeout is not { } timeout
            || timeout > LongestWait)
        {
            return await discovering.ConfigureAwait(false);
        }

        // A caller that stops waiting (its time ran out, or it was cancelled) leaves the fetch to the others; a failure of
        // it is observed here, for nobody, rather than raised as an unobserved task exception.
        _ = discovering.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        var started = time.GetTimestamp();
        DiscoveredEndpoints endpoints;
        try
        {
            endpoints = await discovering.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new CallTimedOutException(
                $"{request.Method} {request.RequestUri} timed out: its {timeout} ran out waiting for the discovery document.",
                new ApiCallDetails { RequestMethod = request.Method, RequestUri = request.RequestUri },
                new WaitTimedOut());
        }

        // The scope's overrides are shared by its calls: this call gets a copy with what is left of its time.
        var left = timeout - time.GetElapsedTime(started);
        var rest = overrides.Copy();
        rest.Timeout = left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
        request.Options.Set(PipelineOptionKeys.Overrides, rest);
        return endpoints;
    }

    private sealed class WaitTimedOut() : TimeoutException("The call's own time ran out while it waited for the discovery document.");
}
