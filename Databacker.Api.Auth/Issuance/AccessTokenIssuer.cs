using System.Security.Cryptography;
using Databacker.Api.Auth.Validation;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Databacker.Api.Auth.Issuance;

/// <summary>
/// Issues RFC 9068 JWT access tokens (<c>typ</c> <c>at+jwt</c>, ES256) to authenticated instances: <c>iss</c>,
/// <c>sub</c> = <c>client_id</c> = instance id, <c>aud</c> of the requested service, <c>scope</c>, <c>jti</c>,
/// <c>iat</c>, <c>exp</c>, and, when issued on a validated assertion, the id of the instance key it was verified with
/// (<see cref="InstanceKeyIdClaim"/>). No refresh tokens: an instance authenticates again when its token expires.
/// </summary>
public sealed class AccessTokenIssuer
{
    /// <summary>The claim naming the registered instance key whose assertion obtained the token: a verifier that finds
    /// the key no longer registered refuses the token (removing a key ends the tokens obtained with it).</summary>
    public const string InstanceKeyIdClaim = "instance_kid";

    private readonly SigningKeyRing _keyRing;
    private readonly AccessTokenIssuanceOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>Creates the issuer; the options are validated now.</summary>
    /// <param name="keyRing">The controller's signing keys.</param>
    /// <param name="options">Issuer, lifetime and scope audiences.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public AccessTokenIssuer(SigningKeyRing keyRing, IOptions<AccessTokenIssuanceOptions> options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(keyRing);
        ArgumentNullException.ThrowIfNull(options);
        _keyRing = keyRing;
        _options = options.Value;
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Issues a token for an authenticated instance. Every requested scope must be configured and all must share one
    /// audience (one service per token); otherwise the result is <c>invalid_scope</c>.
    /// </summary>
    /// <param name="instanceId">The authenticated client (instance) id, from the client-assertion validation.</param>
    /// <param name="requestedScope">The <c>scope</c> form value (space-separated). Required.</param>
    /// <returns>The token or an <c>invalid_scope</c> error.</returns>
    /// <exception cref="InvalidOperationException">No signing key is active.</exception>
    /// <remarks>The token names no instance key: removing one of the instance's keys does not end it (deleting the
    /// instance does, where the verifier checks the key store). Prefer <see cref="Issue(ClientAssertionValidationResult, string?)"/>.</remarks>
    public AccessTokenIssuanceResult Issue(string instanceId, string? requestedScope) => Issue(instanceId, null, requestedScope);

    /// <summary>
    /// Issues a token for an instance authenticated by <paramref name="client"/>, naming the key it was verified with
    /// (<see cref="InstanceKeyIdClaim"/>). Scopes as for <see cref="Issue(string, string?)"/>.
    /// </summary>
    /// <param name="client">A successful client-assertion validation.</param>
    /// <param name="requestedScope">The <c>scope</c> form value (space-separated). Required.</param>
    /// <returns>The token or an <c>invalid_scope</c> error.</returns>
    /// <exception cref="ArgumentException"><paramref name="client"/> is not a successful validation.</exception>
    /// <exception cref="InvalidOperationException">No signing key is active.</exception>
    public AccessTokenIssuanceResult Issue(ClientAssertionValidationResult client, string? requestedScope)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!client.IsValid || client.ClientId is null || client.KeyId is null)
        {
            throw new ArgumentException("Tokens are issued only to a client whose assertion was validated.", nameof(client));
        }

        return Issue(client.ClientId, client.KeyId, requestedScope);
    }

    private AccessTokenIssuanceResult Issue(string instanceId, string? keyId, string? requestedScope)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var scopes = (requestedScope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (scopes.Length == 0)
        {
            return AccessTokenIssuanceResult.Failure("invalid_scope", "A scope is required.");
        }

        string? audience = null;
        foreach (var scope in scopes)
        {
            if (!_options.ScopeAudiences.TryGetValue(scope, out var scopeAudience))
            {
                return AccessTokenIssuanceResult.Failure("invalid_scope", "A requested scope is not supported.");
            }

            if (audience is not null && !string.Equals(audience, scopeAudience, StringComparison.Ordinal))
            {
                return AccessTokenIssuanceResult.Failure("invalid_scope", "Scopes of different services must be requested in separate tokens.");
            }

            audience = scopeAudience;
        }

        var now = _timeProvider.GetUtcNow();
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var expires = issuedAt + _options.TokenLifetime;
        var key = _keyRing.AcquireSigningKey(expires);
        var scopeValue = string.Join(' ', scopes);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = audience,
            IssuedAt = issuedAt.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [JwtRegisteredClaimNames.Sub] = instanceId,
                ["client_id"] = instanceId,
                ["scope"] = scopeValue,
                [JwtRegisteredClaimNames.Jti] = Base64UrlText.Encode(RandomNumberGenerator.GetBytes(16)),
            },
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(key.ToSecurityKey(key.KeyId), SecurityAlgorithms.EcdsaSha256),
        };
        if (keyId is not null)
        {
            descriptor.Claims[InstanceKeyIdClaim] = keyId;
        }

        return AccessTokenIssuanceResult.Success(_handler.CreateToken(descriptor), (int)_options.TokenLifetime.TotalSeconds, scopeValue);
    }
}
