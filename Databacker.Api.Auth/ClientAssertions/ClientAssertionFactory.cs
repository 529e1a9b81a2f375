using System.Security.Cryptography;
using Databacker.Api.Auth.Keys;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Databacker.Api.Auth.ClientAssertions;

/// <summary>
/// Creates RFC 7523 client assertions for an instance: <c>iss</c> = <c>sub</c> = instance id, <c>aud</c> = the
/// controller's issuer, a fresh <c>jti</c>, <c>iat</c> and an explicit <c>exp</c> at most 60 seconds later, header
/// <c>typ</c> <c>client-authentication+jwt</c> with the key's <c>kid</c> and algorithm (ES256/384/512 by curve).
/// </summary>
public sealed class ClientAssertionFactory
{
    private readonly IInstanceKeySource _keySource;
    private readonly ClientAssertionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>Creates the factory; the options are validated now.</summary>
    /// <param name="keySource">Supplies the instance's private key.</param>
    /// <param name="options">Instance id, audience and lifetime.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public ClientAssertionFactory(IInstanceKeySource keySource, IOptions<ClientAssertionOptions> options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(keySource);
        ArgumentNullException.ThrowIfNull(options);
        _keySource = keySource;
        _options = options.Value;
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a new signed assertion, to be sent once as <c>client_assertion</c>.</summary>
    /// <param name="cancellationToken">Cancels loading the key.</param>
    /// <returns>The compact JWS.</returns>
    public async ValueTask<string> CreateAsync(CancellationToken cancellationToken = default)
    {
        var key = await _keySource.GetKeyAsync(cancellationToken).ConfigureAwait(false);
        if (!key.HasPrivateKey)
        {
            throw new InvalidOperationException("The instance key has no private part and cannot sign.");
        }

        // Whole seconds: NumericDate claims are serialized as integers, so exp - iat is exactly the lifetime.
        var now = _timeProvider.GetUtcNow();
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _options.InstanceId,
            Audience = _options.Audience,
            IssuedAt = issuedAt.UtcDateTime,
            Expires = (issuedAt + _options.Lifetime).UtcDateTime,
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [JwtRegisteredClaimNames.Sub] = _options.InstanceId,
                [JwtRegisteredClaimNames.Jti] = Base64UrlText.Encode(RandomNumberGenerator.GetBytes(16)),
            },
            TokenType = ClientAssertionConstants.TokenType,
            SigningCredentials = new SigningCredentials(key.ToSecurityKey(_options.KeyId ?? key.KeyId), key.Algorithm),
        };
        return _handler.CreateToken(descriptor);
    }
}
