using System.Collections.Concurrent;

namespace Databacker.Api.Auth.Replay;

/// <summary>
/// The default <see cref="IReplayCache"/>: a thread-safe, atomic, in-process store whose entries expire by the given
/// <see cref="TimeProvider"/>. Suits a single replica; use <see cref="DistributedReplayCache"/> (or a store with an
/// atomic add) when several replicas serve the token endpoint.
/// </summary>
public sealed class InMemoryReplayCache : IReplayCache
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(string ClientId, string TokenId), DateTimeOffset> _entries = new();
    private readonly TimeProvider _timeProvider;
    private long _nextPurgeTicks;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    public InMemoryReplayCache(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The number of entries held, including expired ones not yet purged.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public ValueTask<bool> TryAddAsync(string clientId, string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(tokenId);
        cancellationToken.ThrowIfCancellationRequested();

        var now = _timeProvider.GetUtcNow();
        PurgeIfDue(now);

        var key = (clientId, tokenId);
        while (true)
        {
            if (_entries.TryAdd(key, expiresAt))
            {
                return ValueTask.FromResult(true);
            }

            if (!_entries.TryGetValue(key, out var existing))
            {
                continue; // Purged between the two calls; try the add again.
            }

            if (existing > now)
            {
                return ValueTask.FromResult(false);
            }

            // An expired entry: replace it only if nobody else did first, so exactly one caller wins.
            if (_entries.TryUpdate(key, expiresAt, existing))
            {
                return ValueTask.FromResult(true);
            }
        }
    }

    private void PurgeIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextPurgeTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextPurgeTicks, (now + PurgeInterval).UtcTicks, due) != due)
        {
            return;
        }

        foreach (var entry in _entries)
        {
            if (entry.Value <= now)
            {
                // Removes only if the value is unchanged, so a concurrent re-add is not lost.
                _entries.TryRemove(entry);
            }
        }
    }
}
