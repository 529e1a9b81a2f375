using System.Collections.Concurrent;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;

namespace Databacker.Api.Client.Discovery;

/// <summary>
/// Sends a call to the place a discovery document named, and reacts when that place has moved: a move followed below
/// (301/308) invalidates the document once per moved place, so the next call discovers afresh (a controller that keeps
/// naming the old place leaves the move to the route table, without a fetch per call); a <c>410 Gone</c> refreshes
/// it at once and sends the call once more if the new document names another place and the body can be replayed.
/// Shared by <see cref="OrchestrationRouteHandler"/> and <see cref="ReportingRouteHandler"/>.
/// </summary>
internal sealed class DiscoveredRouteSender
{
    private readonly IEndpointDiscovery _discovery;
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _send;
    private readonly Action<Uri, string> _logMoved;
    // The targets found moved that already cost one fresh document: if the controller keeps naming such a place, the
    // route table carries the move, and the document is not fetched again on every call (only at its expiry).
    private readonly ConcurrentDictionary<string, bool> _invalidatedFor = new(StringComparer.Ordinal);
    private const int MaxRememberedTargets = 256;

    // The places (URLs) of the document the memory above was built on.
    private string? _places;

    /// <param name="discovery">The discovery service to invalidate or refresh.</param>
    /// <param name="send">The rest of the pipeline (the owning handler's inner handler).</param>
    /// <param name="logMoved">Logs that a target moved, with what happened ("moved", "refused with 410 Gone").</param>
    public DiscoveredRouteSender(
        IEndpointDiscovery discovery,
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send,
        Action<Uri, string> logMoved)
    {
        _discovery = discovery;
        _send = send;
        _logMoved = logMoved;
    }

    /// <summary>Sends <paramref name="request"/> to <paramref name="target"/>, resolved from <paramref name="endpoints"/>.</summary>
    /// <param name="request">The call; its URI is replaced by <paramref name="target"/>.</param>
    /// <param name="target">Where the document says the call goes.</param>
    /// <param name="endpoints">The document <paramref name="target"/> was resolved from.</param>
    /// <param name="resolveAgain">Resolves the call against a refreshed document after a 410 (state passed, so no closure per call).</param>
    /// <param name="state">What <paramref name="resolveAgain"/> needs.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<HttpResponseMessage> SendAsync<TState>(
        HttpRequestMessage request,
        Uri target,
        DiscoveredEndpoints endpoints,
        Func<DiscoveredEndpoints, TState, Uri> resolveAgain,
        TState state,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.CaptureAsync(request, cancellationToken).ConfigureAwait(false);
        request.RequestUri = target;
        try
        {
            var response = await _send(request, cancellationToken).ConfigureAwait(false);
            // Once per moved place: if the controller keeps naming it, the route table carries the move.
            if (response.RequestMessage?.RequestUri is { } last && last != target && FirstMoveOf(target, endpoints))
            {
                _logMoved(target, "moved");
                _discovery.Invalidate();
            }

            return response;
        }
        catch (EndpointNotImplementedException)
        {
            _logMoved(target, "refused with 410 Gone");
            var fresh = _discovery is EndpointDiscovery standard
                ? await standard.RefreshAfterAsync(endpoints, cancellationToken).ConfigureAwait(false)
                : await _discovery.RefreshAsync(cancellationToken).ConfigureAwait(false);
            var again = resolveAgain(fresh, state);
            if (again == target || !body.CanReplay)
            {
                throw;
            }

            var resend = RequestReplay.Clone(request, again, body);
            return await _send(resend, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool FirstMoveOf(Uri target, DiscoveredEndpoints endpoints)
    {
        // A document that names other places than the one the memory was built on starts it afresh: a place it names may
        // move later, and then costs one fresh document again.
        var places = Places(endpoints.Document);
        if (!string.Equals(Volatile.Read(ref _places), places, StringComparison.Ordinal))
        {
            _invalidatedFor.Clear();
            Volatile.Write(ref _places, places);
        }

        if (_invalidatedFor.Count >= MaxRememberedTargets)
        {
            _invalidatedFor.Clear(); // many distinct targets (queries): forget, at the cost of one fetch each again
        }

        return _invalidatedFor.TryAdd(target.AbsoluteUri, true);
    }

    private static string Places(Contracts.Endpoints document) =>
        string.Join('\n', document.OrchestrationUrl, document.ConfigUrl, document.ReportingUrl, document.LogUrl, document.EventsUrl);
}
