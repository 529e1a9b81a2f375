using System.Security.Claims;
using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Validation;
using Databacker.Api.Server.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
/// <c>maxAge</c>; and so does a token whose instance key was removed (when an <see cref="IInstanceKeyStore"/> is
/// registered, each full validation checks it). The cache is bounded (least recently used entries go first) and each hit gets its own copy of the
/// identity, so nothing one request does to its principal is seen by another.
/// </remarks>
internal sealed class CachingJsonWebTokenHandler : JsonWebTokenHandler
{
    private readonly MemoryCache _cache;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxAge;

    private readonly IServiceScopeFactory? _scopes;
    private readonly ILogger _logger;

    /// <param name="time">The clock.</param>
    /// <param name="maxAge">How long a validation is remembered; zero remembers nothing.</param>
    /// <param name="capacity">The most validations remembered.</param>
    /// <param name="scopes">Where the <see cref="IInstanceKeyStore"/> is resolved (per validation, so it may be scoped);
    /// none, or none registered: registered keys are not checked.</param>
    /// <param name="logger">Where a key store that cannot be asked is reported.</param>
    public CachingJsonWebTokenHandler(TimeProvider time, TimeSpan maxAge, int capacity, IServiceScopeFactory? scopes = null, ILogger? logger = null)
    {
        _time = time;
        _maxAge = maxAge;
        _scopes = scopes;
        _logger = logger ?? NullLogger.Instance;
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
        var remember = true;
        if (result.IsValid && result.SecurityToken is JsonWebToken verified)
        {
            bool registered;
            try
            {
                registered = await IsKeyStillRegisteredAsync(verified).ConfigureAwait(false);
                if (registered)
                {
                    Confirm(verified, now);
                }
                else
                {
                    _confirmed.Remove(ConfirmationKey(verified)); // found removed: not trusted again in an outage
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // A store that cannot answer (a database blip) must not turn every agent call into a 401, and then every
                // token request into a failure too (the token endpoint needs the same store). A key this server found
                // registered within the grace period is trusted for that long: the token (verified otherwise) is
                // accepted, but not remembered. Anything else is a 503 the agent retries, never a silent pass.
                verified.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var instance);
                ServerLog.KeyStoreUnavailable(_logger, error, instance);
                if (!ConfirmedLately(verified, now))
                {
                    // Answered 503 by the authorization result handler, which finds this failure.
                    return new TokenValidationResult { IsValid = false, Exception = new InstanceKeysUnavailableException(instance, error) };
                }

                registered = true;
                remember = false;
            }

            if (!registered)
            {
                return new TokenValidationResult
                {
                    IsValid = false,
                    Exception = new SecurityTokenValidationException(
                        "The instance this token was issued to, or the key it was obtained with, is no longer registered."),
                };
            }
        }

        if (remember && result.IsValid && result.SecurityToken is JsonWebToken jwt && result.ClaimsIdentity is { } identity)
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

    // How long a key found registered is trusted while the store cannot be asked.
    internal static readonly TimeSpan ConfirmationGrace = TimeSpan.FromMinutes(10);

    private readonly MemoryCache _confirmed = new(new MemoryCacheOptions { SizeLimit = 10_000, CompactionPercentage = 0.25 });

    private static string ConfirmationKey(JsonWebToken token) =>
        (token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var instance) ? instance : string.Empty) + "\n"
        + (token.TryGetPayloadValue<string>(AccessTokenIssuer.InstanceKeyIdClaim, out var keyId) ? keyId : string.Empty);

    private void Confirm(JsonWebToken token, DateTimeOffset now)
    {
        if (_scopes is not null)
        {
            _confirmed.Set(ConfirmationKey(token), now, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = ConfirmationGrace });
        }
    }

    private bool ConfirmedLately(JsonWebToken token, DateTimeOffset now) =>
        _confirmed.TryGetValue(ConfirmationKey(token), out DateTimeOffset at) && now - at < ConfirmationGrace;

    // A token is honoured only while its instance still has keys and, when the token names the key it was obtained
    // with, while that key is still registered: removing a key (or the instance) ends the tokens obtained with it.
    private async ValueTask<bool> IsKeyStillRegisteredAsync(JsonWebToken token)
    {
        if (_scopes is null)
        {
            return true;
        }

        await using var scope = _scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<IInstanceKeyStore>() is not { } store)
        {
            return true;
        }

        if (!token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var instance) || string.IsNullOrEmpty(instance))
        {
            return false;
        }

        var keys = await store.GetKeysAsync(instance).ConfigureAwait(false);
        if (keys is null || keys.Count == 0)
        {
            return false;
        }

        if (!token.TryGetPayloadValue<string>(AccessTokenIssuer.InstanceKeyIdClaim, out var keyId))
        {
            return true; // Issued without naming its key (another issuer, an older version): the instance check stands.
        }

        foreach (var key in keys)
        {
            if (string.Equals(key.KeyId, keyId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
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
