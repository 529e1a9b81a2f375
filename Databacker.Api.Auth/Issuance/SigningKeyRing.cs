using Databacker.Api.Auth.Keys;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Auth.Issuance;

/// <summary>
/// The controller's access-token signing keys and their rotation. Every key is in the JWKS from the moment it is
/// added; it signs only from its activation time (which, once a key is signing, must be at least
/// <see cref="SigningKeyRingOptions.PublicationLead"/> ahead); when a newer key activates the older one retires and
/// stays in the JWKS until the last token it signed has expired (plus a margin), then is dropped.
/// </summary>
/// <remarks>Thread-safe. Keys must be P-256 (access tokens are ES256) with their private part.</remarks>
public sealed class SigningKeyRing
{
    private readonly object _gate = new();
    private readonly List<Entry> _entries = [];
    private readonly SigningKeyRingOptions _options;
    private readonly TimeProvider _timeProvider;
    private long _sequence;

    /// <summary>Creates an empty ring.</summary>
    /// <param name="options">Publication lead and retention margin; defaults when null.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    public SigningKeyRing(IOptions<SigningKeyRingOptions>? options = null, TimeProvider? timeProvider = null)
    {
        _options = options?.Value ?? new SigningKeyRingOptions();
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Adds a key, published at once. When no key is signing yet it may activate immediately; otherwise
    /// <paramref name="activatesAt"/> must be at least the publication lead from now.
    /// </summary>
    /// <param name="key">A P-256 private key. The ring keeps a reference and does not dispose it.</param>
    /// <param name="activatesAt">When the key starts signing; null means now (only allowed when no key is signing).</param>
    /// <exception cref="ArgumentException">The key is not a P-256 private key, or its id is already in the ring.</exception>
    /// <exception cref="InvalidOperationException">The key would sign before verifiers could have fetched it.</exception>
    public void Add(EcdsaKey key, DateTimeOffset? activatesAt = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Curve != EcdsaCurve.P256 || !key.HasPrivateKey)
        {
            throw new ArgumentException("Access tokens are signed with ES256: the key must be a P-256 private key.", nameof(key));
        }

        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            Prune(now);
            if (_entries.Exists(e => string.Equals(e.Key.KeyId, key.KeyId, StringComparison.Ordinal)))
            {
                throw new ArgumentException($"The key '{key.KeyId}' is already in the ring.", nameof(key));
            }

            var activation = activatesAt ?? now;
            if (FindActive(now) is not null && activation < now + _options.PublicationLead)
            {
                throw new InvalidOperationException(
                    $"A key is already signing; a new key must be published at least {_options.PublicationLead} before it signs, so verifiers caching the JWKS know it.");
            }

            _entries.Add(new Entry(key, activation, _sequence++));
            _entries.Sort(static (a, b) => a.ActivatesAt != b.ActivatesAt ? a.ActivatesAt.CompareTo(b.ActivatesAt) : a.Sequence.CompareTo(b.Sequence));
        }
    }

    /// <summary>A snapshot of every key still in the ring, oldest activation first.</summary>
    /// <returns>The keys and their states.</returns>
    public IReadOnlyList<SigningKeyStatus> GetStatus()
    {
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            Prune(now);
            var active = FindActive(now);
            var result = new List<SigningKeyStatus>(_entries.Count);
            for (var i = 0; i < _entries.Count; i++)
            {
                var entry = _entries[i];
                var retiredAt = RetiredAt(i, now);
                var state = entry == active ? SigningKeyState.Active
                    : entry.ActivatesAt > now ? SigningKeyState.Published
                    : SigningKeyState.Retired;
                result.Add(new SigningKeyStatus(entry.Key.KeyId, state, entry.ActivatesAt, retiredAt, retiredAt is { } r ? RetainedUntil(entry, r) : null));
            }

            return result;
        }
    }

    /// <summary>The JWKS: the public part of every published, active and retained key.</summary>
    /// <returns>The key set.</returns>
    public PublicJsonWebKeySet GetJsonWebKeySet()
    {
        lock (_gate)
        {
            Prune(_timeProvider.GetUtcNow());
            return new PublicJsonWebKeySet(_entries.Select(e => e.Key.ToPublicJwk()));
        }
    }

    /// <summary>
    /// Picks the active key for a token that expires at <paramref name="tokenExpiresAt"/> and records that expiry, so
    /// the key is kept in the JWKS at least that long after it retires.
    /// </summary>
    /// <exception cref="InvalidOperationException">No key is active.</exception>
    internal EcdsaKey AcquireSigningKey(DateTimeOffset tokenExpiresAt)
    {
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            Prune(now);
            var active = FindActive(now) ?? throw new InvalidOperationException("No signing key is active; add one to the SigningKeyRing.");
            if (tokenExpiresAt > active.LastTokenExpiresAt)
            {
                active.LastTokenExpiresAt = tokenExpiresAt;
            }

            return active.Key;
        }
    }

    private Entry? FindActive(DateTimeOffset now)
    {
        // The latest key whose activation has come; _entries is sorted by activation.
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].ActivatesAt <= now)
            {
                return _entries[i];
            }
        }

        return null;
    }

    /// <summary>A key retires when the next key (by activation) becomes active.</summary>
    private DateTimeOffset? RetiredAt(int index, DateTimeOffset now)
    {
        for (var j = index + 1; j < _entries.Count; j++)
        {
            if (_entries[j].ActivatesAt <= now)
            {
                return _entries[j].ActivatesAt;
            }
        }

        return null;
    }

    private DateTimeOffset RetainedUntil(Entry entry, DateTimeOffset retiredAt) =>
        (entry.LastTokenExpiresAt > retiredAt ? entry.LastTokenExpiresAt : retiredAt) + _options.RetentionMargin;

    private void Prune(DateTimeOffset now)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (RetiredAt(i, now) is { } retiredAt && RetainedUntil(_entries[i], retiredAt) <= now)
            {
                _entries.RemoveAt(i);
            }
        }
    }

    private sealed class Entry(EcdsaKey key, DateTimeOffset activatesAt, long sequence)
    {
        public EcdsaKey Key { get; } = key;

        public DateTimeOffset ActivatesAt { get; } = activatesAt;

        public long Sequence { get; } = sequence;

        public DateTimeOffset LastTokenExpiresAt { get; set; } = DateTimeOffset.MinValue;
    }
}
