using Databacker.Api.Client.Exceptions;
using Databacker.Api.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Databacker.Api.Client.Discovery;

/// <summary>
/// Sends reporting calls to the URLs the discovery document names, outermost in the reporting client's pipeline.
/// The reporting client's base address is the orchestration URL; this handler replaces it with <c>logUrl</c>,
/// <c>eventsUrl</c> or <c>reportingUrl</c>. When reporting is not enabled for the account, the call fails with
/// <see cref="ServiceNotEnabledException"/> and nothing is sent. After a move (301/308 followed below) the document
/// is refreshed on the next call; after a <c>410 Gone</c> it is refreshed at once and the call is sent once more if
/// the new document names another place.
/// </summary>
public sealed class ReportingRouteHandler : DelegatingHandler
{
    private readonly IEndpointDiscovery _discovery;
    private readonly Uri _baseAddress;
    private readonly ILogger _logger;
    private readonly DiscoveredRouteSender _route;

    /// <summary>Creates the handler.</summary>
    /// <param name="discovery">The discovery service.</param>
    /// <param name="baseAddress">The base address the reporting client's <see cref="HttpClient"/> has (the orchestration URL).</param>
    /// <param name="logger">Where refreshes are logged.</param>
    public ReportingRouteHandler(IEndpointDiscovery discovery, Uri baseAddress, ILogger<ReportingRouteHandler>? logger = null)
    {
        _discovery = discovery ?? throw new ArgumentNullException(nameof(discovery));
        ArgumentNullException.ThrowIfNull(baseAddress);
        _baseAddress = DiscoveredEndpoints.WithTrailingSlash(baseAddress);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _route = new DiscoveredRouteSender(discovery, base.SendAsync, (target, what) => DiscoveryLog.ReportingMoved(_logger, target, what));
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is not { IsAbsoluteUri: true } requested
            || !requested.AbsoluteUri.StartsWith(_baseAddress.AbsoluteUri, StringComparison.Ordinal))
        {
            // An absolute URL of the caller's own choosing: not ours to reroute.
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var relative = requested.AbsoluteUri[_baseAddress.AbsoluteUri.Length..];
        var endpoints = await DiscoveryWait.WithinCallTimeoutAsync(_discovery.GetAsync(cancellationToken), request, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        var target = Resolve(endpoints, relative, request);
        return await _route.SendAsync(
            request,
            target,
            endpoints,
            static (fresh, call) => Resolve(fresh, call.Relative, call.Request),
            (Relative: relative, Request: request),
            cancellationToken).ConfigureAwait(false);
    }

    private static Uri Resolve(DiscoveredEndpoints endpoints, string relative, HttpRequestMessage request)
    {
        if (endpoints.ResolveReporting(relative) is { } target)
        {
            return target;
        }

        var why = endpoints.IsEnabled(ServiceName.Reporting)
            ? "the discovery document names no reporting URL for it"
            : "reporting is not enabled for this instance's account (not listed in the discovery document's services)";
        throw new ServiceNotEnabledException(
            $"{request.Method} {relative} was not sent: {why}.",
            new ApiCallDetails { RequestMethod = request.Method, RequestUri = request.RequestUri },
            ServiceName.Reporting);
    }
}
