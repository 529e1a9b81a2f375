using System.Runtime.CompilerServices;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Databacker.Api.Client.Discovery;

/// <summary>
/// Sends orchestration calls where the discovery document says, outermost in the orchestration client's pipeline:
/// this instance's configuration to <c>configUrl</c>, anything else under <c>orchestrationUrl</c>. The discovery
/// document itself is always fetched from the configured URL, the one URL an agent is given. The discovery step trusts
/// the origins the document names, so the token goes there; a URL that could not carry it (neither https nor loopback
/// http) is not used, and the call stays on the configured URL. When the document cannot be fetched, calls go to the
/// configured URL and discovery is not tried again for <see cref="DiscoveryOptions.DefaultLifetime"/> (by any handler over
/// the same discovery service, so a handler the factory recreates keeps the pause). Moves (301/308)
/// and <c>410 Gone</c> refresh the document, as for reporting. A call for this instance's configuration while the
/// document does not list <c>scheduling</c> among the account's services throws <see cref="ServiceNotEnabledException"/>
/// and nothing is sent: without scheduling the instance keeps its local configuration.
/// </summary>
public sealed class OrchestrationRouteHandler : DelegatingHandler
{
    private readonly IEndpointDiscovery _discovery;
    private readonly Uri _baseAddress;
    private readonly string _instanceId;
    private readonly TimeSpan _retryDiscoveryAfter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DiscoveredRouteSender _route;
    // Until when discovery is not tried after it failed, shared by every handler over the same discovery service:
    // IHttpClientFactory recreates handlers every few minutes, which must not cut the pause short.
    private static readonly ConditionalWeakTable<IEndpointDiscovery, StrongBox<long>> Pauses = new();
    private readonly StrongBox<long> _skipDiscoveryUntilTicks;
    private ResolvedTarget? _lastResolved;

    /// <summary>Creates the handler.</summary>
    /// <param name="discovery">The discovery service.</param>
    /// <param name="baseAddress">The base address the orchestration client's <see cref="HttpClient"/> has (the configured orchestration URL).</param>
    /// <param name="instanceId">This instance's id, whose configuration document <c>configUrl</c> names.</param>
    /// <param name="options">How long to go without discovery after it failed (<see cref="DiscoveryOptions.DefaultLifetime"/>).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where refreshes and fallbacks are logged.</param>
    public OrchestrationRouteHandler(
        IEndpointDiscovery discovery,
        Uri baseAddress,
        string instanceId,
        DiscoveryOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<OrchestrationRouteHandler>? logger = null)
    {
        _discovery = discovery ?? throw new ArgumentNullException(nameof(discovery));
        _skipDiscoveryUntilTicks = Pauses.GetValue(discovery, static _ => new StrongBox<long>());
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        _baseAddress = DiscoveredEndpoints.WithTrailingSlash(baseAddress);
        _instanceId = instanceId;
        _retryDiscoveryAfter = (options ?? new DiscoveryOptions()).DefaultLifetime;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _route = new DiscoveredRouteSender(discovery, base.SendAsync, (target, what) => DiscoveryLog.OrchestrationMoved(_logger, target, what));
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is not { IsAbsoluteUri: true } requested
            || !requested.AbsoluteUri.StartsWith(_baseAddress.AbsoluteUri, StringComparison.Ordinal)
            || IsDiscoveryCall(requested)
            || DiscoveryPaused)
        {
            // An absolute URL of the caller's own choosing (not ours to reroute), the discovery document's own request,
            // or discovery failed lately and the configured URL serves everything for now: passed on as it is, without
            // a state machine.
            return base.SendAsync(request, cancellationToken);
        }

        // Discovery answers synchronously while its document is fresh (nearly every call): the call is then routed
        // without a state machine of its own, only the route sender's.
        Task<DiscoveredEndpoints> discovering;
        try
        {
            discovering = _discovery.GetAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            discovering = Task.FromException<DiscoveredEndpoints>(ex); // an implementation that throws at once fails like one that faults
        }

        return discovering.IsCompletedSuccessfully
            ? SendDiscovered(request, requested, discovering.Result, cancellationToken)
            : SendAfterDiscoveryAsync(request, requested, discovering, cancellationToken);
    }

    private bool DiscoveryPaused => _time.GetUtcNow().UtcTicks < Volatile.Read(ref _skipDiscoveryUntilTicks.Value);

    private bool IsDiscoveryCall(Uri requested) =>
        requested.AbsoluteUri.AsSpan(_baseAddress.AbsoluteUri.Length).StartsWith("engines/endpoints/", StringComparison.Ordinal);

    private Task<HttpResponseMessage> SendDiscovered(HttpRequestMessage request, Uri requested, DiscoveredEndpoints endpoints, CancellationToken cancellationToken)
    {
        var resolved = Resolve(endpoints, requested);
        if (resolved.Withheld)
        {
            return Task.FromException<HttpResponseMessage>(SchedulingNotEnabled(request, resolved.Relative));
        }

        if (resolved.Target is not { } target)
        {
            return base.SendAsync(request, cancellationToken);
        }

        return _route.SendAsync(
            request,
            target,
            endpoints,
            static (fresh, call) =>
            {
                var relative = call.Requested.AbsoluteUri[call.BaseLength..];
                return fresh.WithholdsConfiguration(relative, call.InstanceId)
                    ? throw SchedulingNotEnabled(call.Request, relative)
                    : fresh.ResolveOrchestration(relative, call.InstanceId) ?? call.Requested;
            },
            (BaseLength: _baseAddress.AbsoluteUri.Length, InstanceId: _instanceId, Requested: requested, Request: request),
            cancellationToken);
    }

    // The spec: without scheduling the instance keeps its local configuration; asking the controller for it is a mistake
    // of the caller's, reported before anything is sent (as a call to a reporting service that is not enabled is).
    private static ServiceNotEnabledException SchedulingNotEnabled(HttpRequestMessage request, string relative) =>
        new(
            $"{request.Method} {relative} was not sent: scheduling is not enabled for this instance's account (not listed in the discovery document's services), so the instance keeps its local configuration.",
            new ApiCallDetails { RequestMethod = request.Method, RequestUri = request.RequestUri },
            ServiceName.Scheduling);

    private async Task<HttpResponseMessage> SendAfterDiscoveryAsync(
        HttpRequestMessage request, Uri requested, Task<DiscoveredEndpoints> discovering, CancellationToken cancellationToken)
    {
        DiscoveredEndpoints endpoints;
        try
        {
            endpoints = await DiscoveryWait.WithinCallTimeoutAsync(discovering, request, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!DiscoveryWait.IsOwnTimeout(ex) && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // (A call whose own time ran out while waiting says nothing about discovery: no fallback, no pause.)
            // The configured URL serves orchestration too (the spec's one URL an agent needs); discovery is a refinement.
            var until = _time.GetUtcNow() + _retryDiscoveryAfter;
            Volatile.Write(ref _skipDiscoveryUntilTicks.Value, until.UtcTicks);
            DiscoveryLog.OrchestrationDiscoveryFailed(_logger, ex, until);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await SendDiscovered(request, requested, endpoints, cancellationToken).ConfigureAwait(false);
    }

    // The target of the last call resolved against the current discovery document: calls of the same operation (an
    // agent polling its configuration) reuse the Uri instead of building and parsing it again. Uri is immutable.
    private ResolvedTarget Resolve(DiscoveredEndpoints endpoints, Uri requested)
    {
        var relative = requested.AbsoluteUri.AsSpan(_baseAddress.AbsoluteUri.Length);
        var last = Volatile.Read(ref _lastResolved);
        if (last is not null && ReferenceEquals(last.Endpoints, endpoints) && relative.SequenceEqual(last.Relative))
        {
            return last;
        }

        var text = relative.ToString();
        var resolved = endpoints.WithholdsConfiguration(text, _instanceId)
            ? new ResolvedTarget(endpoints, text, null, Withheld: true)
            : new ResolvedTarget(endpoints, text, endpoints.ResolveOrchestration(text, _instanceId), Withheld: false);
        Volatile.Write(ref _lastResolved, resolved);
        return resolved;
    }

    private sealed record ResolvedTarget(DiscoveredEndpoints Endpoints, string Relative, Uri? Target, bool Withheld);
}
