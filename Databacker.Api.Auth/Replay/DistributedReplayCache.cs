using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;

namespace Databacker.Api.Auth.Replay;

/// <summary>
/// An <see cref="IReplayCache"/> over <see cref="IDistributedCache"/>, for several token-endpoint replicas.
/// </summary>
/// <remarks>
/// <see cref="IDistributedCache"/> has no atomic add-if-absent, so this is a get followed by a set: two replicas
/// receiving the same assertion within the same few milliseconds can both accept it. This is best effort. Where
/// strict once-only use matters, implement <see cref="IReplayCache"/> over the store's atomic primitive (for example
/// Redis <c>SET key value NX PX ttl</c>, or a unique-key insert in a database).
/// </remarks>
public sealed class DistributedReplayCache : IReplayCache
{
    private static readonly byte[] Marker = [1];

    private readonly IDistributedCache _cache;
    private readonly string _keyPrefix;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the cache.</summary>
    /// <param name="cache">The shared cache.</param>
    /// <param name="keyPrefix">Prefix of the cache keys, to keep them apart from other users of the cache.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    public DistributedReplayCache(IDistributedCache cache, string keyPrefix = "databacker:auth:jti:", TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        _cache = cache;
        _keyPrefix = keyPrefix;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryAddAsync(string clientId, string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(tokenId);
        var key = CacheKey(clientId, tokenId);

        // Not atomic (see remarks): a concurrent add on another replica between these two calls is not detected.
        if (await _cache.GetAsync(key, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }

        var remaining = expiresAt - _timeProvider.GetUtcNow();
        var entryOptions = new DistributedCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = remaining > TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1),
        };
        await _cache.SetAsync(key, Marker, entryOptions, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A fixed-length key: SHA-256 of the length-prefixed pair, so ("a:b", "c") and ("a", "b:c") never collide and
    /// a long <c>jti</c> cannot make an oversized key.
    /// </summary>
    internal string CacheKey(string clientId, string tokenId)
    {
        var material = Encoding.UTF8.GetBytes($"{clientId.Length}:{clientId}\n{tokenId}");
        return _keyPrefix + Convert.ToHexStringLower(SHA256.HashData(material));
    }
}
