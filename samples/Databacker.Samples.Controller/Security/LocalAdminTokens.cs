using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Databacker.Samples.Controller.Security;

/// <summary>
/// The local stand-in for an end users' authorization server: a separate admin key in the data directory that signs
/// short-lived admin tokens for the operator, and verifies them as the user-token scheme's signing key. It is not
/// the agent-token key, and its issuer differs from the agent issuer, so neither kind of token passes for the other.
/// </summary>
internal sealed class LocalAdminTokens : IDisposable
{
    private readonly ECDsa _ecdsa;
    private readonly TimeProvider _timeProvider;

    public LocalAdminTokens(string keyPath, string agentIssuer, string audience, TimeProvider timeProvider)
    {
        using var key = KeyFiles.LoadOrCreate(keyPath);
        _ecdsa = ECDsa.Create();
        _ecdsa.ImportFromPem(File.ReadAllText(keyPath));
        SigningKey = new ECDsaSecurityKey(_ecdsa) { KeyId = key.KeyId };
        Issuer = agentIssuer + "/local-admin";
        Audience = audience;
        _timeProvider = timeProvider;
    }

    /// <summary>The issuer of the tokens; configured as the user-token scheme's issuer.</summary>
    public string Issuer { get; }

    /// <summary>Their audience.</summary>
    public string Audience { get; }

    /// <summary>The key that signs and verifies them.</summary>
    public SecurityKey SigningKey { get; }

    /// <summary>A fresh admin token (scope <c>admin</c>) for the operator.</summary>
    public string Mint(TimeSpan lifetime)
    {
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "operator",
                ["scope"] = "admin",
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.EcdsaSha256),
        });
    }

    public void Dispose() => _ecdsa.Dispose();
}
