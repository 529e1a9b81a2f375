using System.Collections.Concurrent;
using Databacker.Api.Auth.Issuance;
using Microsoft.IdentityModel.Tokens;

namespace Databacker.Api.Server.Authentication;

/// <summary>Resolves the keys that verify agent tokens from this controller's <see cref="SigningKeyRing"/>, so rotation needs no restart.</summary>
internal sealed class SigningKeyRingKeyResolver(SigningKeyRing ring)
{
    // A kid is an RFC 7638 thumbprint: the same kid is always the same key, so converted keys can be kept.
    private readonly ConcurrentDictionary<string, SecurityKey> _converted = new(StringComparer.Ordinal);

    public IEnumerable<SecurityKey> Resolve(string? kid)
    {
        var keys = ring.GetJsonWebKeySet().Keys;
        foreach (var jwk in keys)
        {
            if (kid is not null && !string.Equals(jwk.Kid, kid, StringComparison.Ordinal))
            {
                continue;
            }

            yield return _converted.GetOrAdd(jwk.Kid ?? jwk.ComputeThumbprint(), _ => new JsonWebKey(jwk.ToJson()));
        }
    }
}
