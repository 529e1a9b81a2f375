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
/// <see cref="DiscoveryOptions.MinimumLifetime"/> when a refresh fails. Thread-safe; one fetch at a time, shared by
/// every caller that needs the document meanwhile.
/// </summary>
public sealed class EndpointDiscovery : IEndpointDiscovery, IDisposable
{
    private readonly Func<IOrchestrationClient> _clients;
    private readonly string _instanceId;
    private readonly TrustedOriginRegistry _trustedOrigins;
    private readonly DiscoveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _state = new();

    // Ends a fetch still running when the service is disposed, so that nobody waits for it forever.
    private readonly CancellationTokenSource _lifetime = new();

    // The current document as a completed task, built once per document: GetAsync hands it out as is while it is fresh.
    private Task<DiscoveredEndpoints>? _current;
    private DateTimeOffset _useUntil = DateTimeOffset.MinValue;

    // The fetch under way, shared by every caller that needs one meanwhile (its failure too), and its number among the
    // fetches started; the number of the fetch whose document is current (an older fetch that ends later never replaces
    // it); fetches numbered up to _staleUpTo began before an Invalidate, and their document arrives stale. Guarded by _state.
    private Task<DiscoveredEndpoints>? _fetch;
    private long _fetchNumber;
    private long _fetchesStarted;
    private long _installed;
    private long _staleUpTo;
    private volatile bool _disposed;

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
    /// <remarks>While the document is fresh, every call gets the same completed task: nothing is allocated per call.
    /// Otherwise every caller waits for the same fetch, and gets its result or its failure.</remarks>
    public Task<DiscoveredEndpoints> GetAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Fresh() ?? JoinFetchAsync(minimumNumber: null, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>A fetch that began before this call is not enough (it may carry the document being replaced); one that
    /// began since is shared.</remarks>
    public Task<DiscoveredEndpoints> RefreshAsync(CancellationToken cancellationToken = default)
    {
        long next;
        lock (_state)
        {
            next = _fetchesStarted + 1;
        }

        return JoinFetchAsync(next, cancellationToken);
    }

    /// <summary>
    /// A document newer than <paramref name="seen"/> (the one a call was routed by, and which then failed): the current
    /// one if a later fetch brought it and it is fresh, else the outcome of a fetch begun after <paramref name="seen"/>'s,
    /// shared by every caller refreshing after the same document (a burst of 410s costs one fetch).
    /// </summary>
    internal Task<DiscoveredEndpoints> RefreshAfterAsync(DiscoveredEndpoints seen, CancellationToken cancellationToken)
    {
        lock (_state)
        {
            if (_installed > seen.FetchNumber && FreshLocked() is { } newer)
            {
                return newer;
            }
        }

        return JoinFetchAsync(seen.FetchNumber + 1, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>A fetch already under way began before this call: its document arrives stale, and the next call fetches again.</remarks>
    public void Invalidate()
    {
        lock (_state)
        {
            _useUntil = DateTimeOffset.MinValue;
            _staleUpTo = _fetchesStarted;
        }
    }

    /// <summary>Ends a fetch under way (its callers get <see cref="OperationCanceledException"/>); later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_state)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _lifetime.Cancel();
    }

    // Joins the fetch under way (at least the one numbered minimumNumber, when given), or starts one; the caller's token
    // only ends its own wait, never the fetch others are waiting for.
    private async Task<DiscoveredEndpoints> JoinFetchAsync(long? minimumNumber, CancellationToken cancellationToken)
    {
        Task<DiscoveredEndpoints> fetch;
        TaskCompletionSource<DiscoveredEndpoints>? started = null;
        long number = 0;
        lock (_state)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (minimumNumber is null && FreshLocked() is { } fresh)
            {
                return fresh.Result; // fetched while this caller was on its way
            }

            if (_fetch is { } running && (minimumNumber is null || _fetchNumber >= minimumNumber))
            {
                fetch = running;
            }
            else
            {
                started = new TaskCompletionSource<DiscoveredEndpoints>(TaskCreationOptions.RunContinuationsAsynchronously);
                _fetch = fetch = started.Task;
                _fetchNumber = number = ++_fetchesStarted;
            }
        }

        if (started is not null)
        {
            // A failure nobody waits for any more (every waiter cancelled) is observed here, not at finalization.
            _ = started.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _ = RunFetchAsync(started, number);
        }

        return await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // Runs one shared fetch to its end; it is no longer joined once it has an outcome.
    private async Task RunFetchAsync(TaskCompletionSource<DiscoveredEndpoints> outcome, long number)
    {
        DiscoveredEndpoints? result = null;
        Exception? failure = null;
        try
        {
            result = await FetchAsync(number, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        lock (_state)
        {
            if (ReferenceEquals(_fetch, outcome.Task))
            {
                _fetch = null;
            }
        }

        if (failure is OperationCanceledException cancelled)
        {
            outcome.TrySetCanceled(cancelled.CancellationToken);
        }
        else if (failure is not null)
        {
            outcome.TrySetException(failure);
        }
        else
        {
            outcome.TrySetResult(result!);
        }
    }

    // The current document while it is fresh (completed), else null.
    private Task<DiscoveredEndpoints>? Fresh()
    {
        lock (_state)
        {
            return FreshLocked();
        }
    }

    private Task<DiscoveredEndpoints>? FreshLocked() => _current is { } current && _time.GetUtcNow() < _useUntil ? current : null;

    private async Task<DiscoveredEndpoints> FetchAsync(long number, CancellationToken cancellationToken)
    {
        Endpoints document;
        var now = _time.GetUtcNow();
        try
        {
            // The document decides which origins are trusted, so it is taken only from a trusted one: never through a
            // redirect to an untrusted origin, even where the client's routing follows such redirects without credentials.
            using (DatabackerRequest.With(static o => o.Routing = static r => r.CrossOriginRedirects = CrossOriginRedirectPolicy.Fail))
            {
                document = await _clients().GetEndpointsAsync(_instanceId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !_disposed && Current is not null)
        {
            // From the failure on, not from the start of a fetch that may have taken longer than the pause itself; and
            // only by the latest fetch (an older one failing late does not touch what a newer one set).
            var until = _time.GetUtcNow() + _options.MinimumLifetime;
            lock (_state)
            {
                if (number >= _installed)
                {
                    _useUntil = until;
                }
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
        var discovered = new DiscoveredEndpoints(document, now, now + lifetime) { FetchNumber = number };
        lock (_state)
        {
            if (number < _installed)
            {
                return _current!.Result; // a newer fetch ended first: its document stays, and is what waiters get
            }

            _current = Task.FromResult(discovered);
            _installed = number;
            _useUntil = number <= _staleUpTo ? DateTimeOffset.MinValue : discovered.ExpiresAt;
        }

        DiscoveryLog.Discovered(_logger, _instanceId, string.Join(", ", document.Services ?? []), document.ReportingUrl, discovered.ExpiresAt);
        return discovered;
    }
}
