using Databacker.Api.Auth.Keys;
using Databacker.Api.Contracts;

namespace Databacker.Samples.Controller.Storage;

/// <summary>Between the contract's <see cref="Jwk"/> and the auth library's <see cref="EcPublicJwk"/>.</summary>
internal static class JwkMapping
{
    public static EcPublicJwk ToEcPublicJwk(Jwk jwk) => new()
    {
        Kty = jwk.Kty.Value,
        Crv = jwk.Crv.Value,
        X = jwk.X,
        Y = jwk.Y,
        Kid = jwk.Kid,
        Alg = jwk.Alg,
        Use = jwk.Use,
    };

    public static Jwk ToContract(EcPublicJwk jwk) => new()
    {
        Kty = new JwkKeyType(jwk.Kty),
        Crv = new JwkCurve(jwk.Crv),
        X = jwk.X,
        Y = jwk.Y,
        Kid = jwk.Kid,
        Alg = jwk.Alg,
        Use = jwk.Use,
    };
}
