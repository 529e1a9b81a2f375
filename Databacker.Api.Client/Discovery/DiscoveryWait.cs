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
    public static async Task<DiscoveredEndpoints> WithinCallTimeoutAsync(
        Task<DiscoveredEndpoints> discovering, HttpRequestMessage request, TimeProvider time, CancellationToken cancellationToken)
    {
        if (discovering.IsCompleted
            || !request.Options.TryGetValue(PipelineOptionKeys.Overrides, out var overrides)
            || overrides.Timeout is not { } timeout)
        {
            return await discovering.ConfigureAwait(false);
        }

        var started = time.GetTimestamp();
        DiscoveredEndpoints endpoints;
        try
        {
            endpoints = await discovering.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException error)
        {
            throw new CallTimedOutException(
                $"{request.Method} {request.RequestUri} timed out: its {timeout} ran out waiting for the discovery document.",
                new ApiCallDetails { RequestMethod = request.Method, RequestUri = request.RequestUri },
                error);
        }

        // The scope's overrides are shared by its calls: this call gets a copy with what is left of its time.
        var left = timeout - time.GetElapsedTime(started);
        var rest = overrides.Copy();
        rest.Timeout = left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
        request.Options.Set(PipelineOptionKeys.Overrides, rest);
        return endpoints;
    }
}
