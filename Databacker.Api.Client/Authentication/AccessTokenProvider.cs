using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Databacker.Api.Client.Authentication;

/// <summary>
/// Caches this instance's access token and decides when to fetch a new one: one fetch at a time however many callers
/// wait (single flight), refreshed in the background once <see cref="TokenOptions.RefreshAheadRatio"/> of its
/// lifetime has passed while the old token keeps being served, the old token kept if that refresh fails (while it
/// is still valid), and exactly one refresh for any number of 401s answered to the same token. Thread-safe.
/// </summary>
/// <remarks>
/// A fetch runs independently of the callers waiting for it, limited by <see cref="TokenOptions.FetchTimeout"/>: a
/// caller that gives up (cancels) does not cancel or fail it for the others.
/// </remarks>
public sealed class AccessTokenProvider : IDisposable
{
    private readonly IAccessTokenClient _client;
    private readonly TokenOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();

    private CachedToken? _current;
    private Task<CachedToken>? _inflight;
    private DateTimeOffset _nextBackgroundAttempt = DateTimeOffset.MinValue;

    /// <summary>Creates the provider.</summary>
    /// <param name="client">Fetches tokens.</param>
    /// <param name="options">The options; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where refreshes are logged; never the token.</param>
    public AccessTokenProvider(IAccessTokenClient client, TokenOptions options, TimeProvider? timeProvider = null, ILogger<AccessTokenProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>A valid token: the cached one, or a new one fetched (once, for every concurrent caller).</summary>
    /// <param name="cancellationToken">Stops this caller waiting; the fetch goes on for the others.</param>
    /// <returns>The token to send.</returns>
    /// <exception cref="TokenRequestException">No valid token is cached and the fetch failed.</exception>
    public Task<AccessToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        Task<CachedToken> pending;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_current is { } current && now < current.UseUntil)
            {
                if (now >= current.RefreshAt && _inflight is null && now >= _nextBackgroundAttempt)
                {
                    StartFetchLocked(background: true);
                }

                // Every call of the token's life gets the same completed task: nothing is allocated per call.
                return current.Completed;
            }

            pending = _inflight ?? StartFetchLocked(background: false);
        }

        return WaitForTokenAsync(pending, cancellationToken);
    }

    private static async Task<AccessToken> WaitForTokenAsync(Task<CachedToken> pending, CancellationToken cancellationToken) =>
        (await pending.WaitAsync(cancellationToken).ConfigureAwait(false)).Token;

    /// <summary>
    /// Called when a server answered 401 to <paramref name="rejected"/>: if it is still the cached token, it is dropped
    /// and one new token is fetched (joined by every other caller rejected with the same token); if another token
    /// already replaced it, that one is returned without fetching.
    /// </summary>
    /// <param name="rejected">The token the server refused.</param>
    /// <param name="cancellationToken">Stops this caller waiting; the fetch goes on for the others.</param>
    /// <returns>The token to retry with; the same instance as <paramref name="rejected"/> only if no other is available.</returns>
    /// <exception cref="TokenRequestException">The new token could not be fetched.</exception>
    public async Task<AccessToken> RefreshAfterRejectionAsync(AccessToken rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        Task<CachedToken> pending;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_current is { } current && !ReferenceEquals(current.Token, rejected) && now < current.UseUntil)
            {
                return current.Token;
            }

            if (_current is { } stale && ReferenceEquals(stale.Token, rejected))
            {
                _current = null;
            }

            pending = _inflight ?? StartFetchLocked(background: false);
        }

        return (await pending.WaitAsync(cancellationToken).ConfigureAwait(false)).Token;
    }

    /// <summary>Forgets the cached token; the next caller fetches a new one.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _current = null;
        }
    }

    /// <summary>Forgets <paramref name="rejected"/> if it is still the cached token (a newer one is kept).</summary>
    internal void Forget(AccessToken rejected)
    {
        lock (_gate)
        {
            if (_current is { } current && ReferenceEquals(current.Token, rejected))
            {
                _current = null;
            }
        }
    }

    /// <summary>Cancels a fetch in progress.</summary>
    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    private Task<CachedToken> StartFetchLocked(bool background)
    {
        var completion = new TaskCompletionSource<CachedToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        _inflight = completion.Task;

        // Observe the failure of a background refresh nobody waits for.
        _ = completion.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        _ = Task.Run(() => FetchAsync(completion, background));
        return completion.Task;
    }

    private async Task FetchAsync(TaskCompletionSource<CachedToken> completion, bool background)
    {
        using var timeout = new CancellationTokenSource(_options.FetchTimeout, _time);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _lifetime.Token);
            var token = await _client.RequestTokenAsync(linked.Token).ConfigureAwait(false);
            Diagnostics.DatabackerClientDiagnostics.TokenFetches.Add(1, new KeyValuePair<string, object?>("outcome", "success"));
            var cached = Cache(token);
            lock (_gate)
            {
                _current = cached;
                _inflight = null;
            }

            completion.SetResult(cached);
        }
        catch (Exception ex)
        {
            Diagnostics.DatabackerClientDiagnostics.TokenFetches.Add(1, new KeyValuePair<string, object?>("outcome", "failure"));
            DateTimeOffset? keptUntil = null;
            lock (_gate)
            {
                _inflight = null;
                if (background)
                {
                    _nextBackgroundAttempt = _time.GetUtcNow() + _options.BackgroundRefreshRetryDelay;
                    keptUntil = _current?.UseUntil;
                }
            }

            if (keptUntil is { } until)
            {
                AuthenticationLog.BackgroundRefreshFailed(_logger, ex, until);
            }
            else
            {
                AuthenticationLog.TokenFetchFailed(_logger, ex);
            }

            // The fetch is shared: a caller that never cancelled must not see a bare cancellation because the shared
            // request ran out of time. It gets the SDK's typed token error.
            completion.SetException(ex is OperationCanceledException && timeout.IsCancellationRequested && !_lifetime.IsCancellationRequested
                ? new TokenRequestException($"The token request did not complete within {_options.FetchTimeout} (TokenOptions.FetchTimeout).", innerException: ex)
                : ex);
        }
    }

    private CachedToken Cache(AccessToken token)
    {
        var lifetime = token.Lifetime;
        var refreshAt = token.IssuedAt + (lifetime * _options.RefreshAheadRatio);
        var useUntil = token.ExpiresAt - _options.ExpirationSkew;
        return new CachedToken(token, refreshAt, useUntil < refreshAt ? refreshAt : useUntil);
    }

    private sealed record CachedToken(AccessToken Token, DateTimeOffset RefreshAt, DateTimeOffset UseUntil)
    {
        public Task<AccessToken> Completed { get; } = Task.FromResult(Token);
    }
}
