using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Routing;
using Databacker.Api.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Databacker.Api.Client.Discovery;

/// <summary>
/// The standard <see cref="IEndpointDiscovery"/>: fetches the document through the orchestration client, caches it
/// for <c>expiresIn</c> seconds (or <see cref="DiscoveryOptions.DefaultLifetime"/>, within the minimum and maximum),
/// trusts the origins it names (https, or http on loopback only), and keeps serving the previous document for
/// <see cref="DiscoveryOptions.MinimumLifetime"/> when a refresh fails. Thread-safe; one fetch at a time.
/// </summary>
public sealed class EndpointDiscovery : IEndpointDiscovery, IDisposable
{
    private readonly Func<IOrchestrationClient> _clients;
    private readonly string _instanceId;
    private readonly TrustedOriginRegistry _trustedOrigins;
    private readonly DiscoveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _state = new();
    // The current document as a completed task, built once per document: GetAsync hands it out as is while it is fresh.
    private Task<DiscoveredEndpoints>? _current;
    private DateTimeOffset _useUntil = DateTimeOffset.MinValue;

    /// <summary>Creates the service.</summary>
    /// <param name="clients">Creates an orchestration client for each fetch (so an <c>IHttpClientFactory</c> can rotate handlers).</param>
    /// <param name="instanceId">The instance whose document is fetched.</param>
    /// <param name="trustedOrigins">Where the named origins are added; the registry of the client pipeline.</param>
    /// <param name="options">Cache lifetimes.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where fetches are logged.</param>
    public EndpointDiscovery(
        Func<IOrchestrationClient> clients,
        string instanceId,
        TrustedOriginRegistry trustedOrigins,
        DiscoveryOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<EndpointDiscovery>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        _clients = clients ?? throw new ArgumentNullException(nameof(clients));
        _instanceId = instanceId;
        _trustedOrigins = trustedOrigins ?? throw new ArgumentNullException(nameof(trustedOrigins));
        _options = options ?? new DiscoveryOptions();
        var failures = _options.Validate();
        if (failures.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(DiscoveryOptions), typeof(DiscoveryOptions), failures);
        }

        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The cached document, fresh or not; <see langword="null"/> before the first fetch.</summary>
    public DiscoveredEndpoints? Current => Volatile.Read(ref _current)?.Result;

    /// <inheritdoc />
    /// <remarks>While the document is fresh, every call gets the same completed task: nothing is allocated per call.</remarks>
    public Task<DiscoveredEndpoints> GetAsync(CancellationToken cancellationToken = default) =>
        Fresh() ?? FetchOrWaitAsync(cancellationToken);

    private async Task<DiscoveredEndpoints> FetchOrWaitAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Fresh() is { } fresh ? fresh.Result : await FetchLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<DiscoveredEndpoints> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var seen = Current;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller refreshed while this one waited: use its result rather than fetching twice.
            return !ReferenceEquals(Current, seen) && Fresh() is { } raced
                ? raced.Result
                : await FetchLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Invalidate()
    {
        lock (_state)
        {
            _useUntil = DateTimeOffset.MinValue;
        }
    }

    /// <summary>Releases the fetch gate.</summary>
    public void Dispose() => _gate.Dispose();

    // The current document while it is fresh (completed), else null.
    private Task<DiscoveredEndpoints>? Fresh()
    {
        lock (_state)
        {
            return _current is { } current && _time.GetUtcNow() < _useUntil ? current : null;
        }
    }

    private async Task<DiscoveredEndpoints> FetchLockedAsync(CancellationToken cancellationToken)
    {
        Endpoints document;
        var now = _time.GetUtcNow();
        try
        {
            document = await _clients().GetEndpointsAsync(_instanceId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && Current is not null)
        {
            var until = now + _options.MinimumLifetime;
            lock (_state)
            {
                _useUntil = until;
            }

            DiscoveryLog.RefreshFailed(_logger, ex, until);
            return Current!;
        }

        foreach (var url in new[] { document.OrchestrationUrl, document.ConfigUrl, document.ReportingUrl, document.LogUrl, document.EventsUrl })
        {
            if (url is not { IsAbsoluteUri: true })
            {
                continue;
            }

            if (Origin.IsSecureTransport(url))
            {
                _trustedOrigins.Add(url);
            }
            else
            {
                DiscoveryLog.InsecureUrl(_logger, url);
            }
        }

        var lifetime = document.ExpiresIn is { } seconds ? TimeSpan.FromSeconds(seconds) : _options.DefaultLifetime;
        lifetime = lifetime < _options.MinimumLifetime ? _options.MinimumLifetime : lifetime > _options.MaximumLifetime ? _options.MaximumLifetime : lifetime;
        var discovered = new DiscoveredEndpoints(document, now, now + lifetime);
        lock (_state)
        {
            _current = Task.FromResult(discovered);
            _useUntil = discovered.ExpiresAt;
        }

        DiscoveryLog.Discovered(_logger, _instanceId, string.Join(", ", document.Services ?? []), document.ReportingUrl, discovered.ExpiresAt);
        return discovered;
    }
}
