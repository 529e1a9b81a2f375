using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Databacker.Api.Server.Authentication;

/// <summary>
/// Validates agent tokens like <see cref="JsonWebTokenHandler"/>, and remembers each successful validation for a short
/// while, so an agent calling repeatedly with the same token costs one signature verification, not one per request.
/// </summary>
/// <remarks>
/// Only successes are kept, keyed by the exact token string, until the earlier of the token's <c>exp</c> (without clock
/// skew) and <c>maxAge</c> from the first validation; so a key that leaves the trusted set stops being honoured within
/// <c>maxAge</c>. The cache is bounded (least recently used entries go first) and each hit gets its own copy of the
/// identity, so nothing one request does to its principal is seen by another.
/// </remarks>
internal sealed class CachingJsonWebTokenHandler : JsonWebTokenHandler
{
    private readonly MemoryCache _cache;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxAge;

    public CachingJsonWebTokenHandler(TimeProvider time, TimeSpan maxAge, int capacity)
    {
        _time = time;
        _maxAge = maxAge;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = capacity, CompactionPercentage = 0.25 });
        MapInboundClaims = false;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = _time.GetUtcNow();
        if (TryGetEntry(token, now) is { } entry)
        {
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = entry.Token,
                ClaimsIdentity = entry.Identity.Clone(),
                Issuer = entry.Issuer,
                TokenType = entry.TokenType,
            };
        }

        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt && result.ClaimsIdentity is { } identity)
        {
            var expires = new DateTimeOffset(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc));
            if (expires > now + _maxAge)
            {
                expires = now + _maxAge;
            }

            if (expires > now)
            {
                _cache.Set(token, new Entry(jwt, identity.Clone(), result.Issuer, result.TokenType, expires),
                    new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = expires - now });
            }
        }

        return result;
    }

    /// <summary>
    /// The remembered validation of exactly this token string, if it is still current: its own copy of the identity and
    /// the token's validity, or false (then validate in full with <see cref="ValidateTokenAsync(string, TokenValidationParameters)"/>).
    /// </summary>
    internal bool TryGetRemembered(string token, out ClaimsIdentity identity, out DateTime validFrom, out DateTime validTo)
    {
        if (TryGetEntry(token, _time.GetUtcNow()) is { } entry)
        {
            identity = entry.Identity.Clone();
            validFrom = entry.Token.ValidFrom;
            validTo = entry.Token.ValidTo;
            return true;
        }

        identity = null!;
        validFrom = validTo = default;
        return false;
    }

    private Entry? TryGetEntry(string token, DateTimeOffset now) =>
        _cache.TryGetValue(token, out Entry? entry) && entry!.Expires > now ? entry : null;

    private sealed record Entry(JsonWebToken Token, ClaimsIdentity Identity, string? Issuer, string? TokenType, DateTimeOffset Expires);
}
