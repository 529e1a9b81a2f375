namespace Databacker.Api.Auth.Issuance;

/// <summary>Where a key of the <see cref="SigningKeyRing"/> is in its life.</summary>
public enum SigningKeyState
{
    /// <summary>In the JWKS so verifiers can learn it, but not yet signing.</summary>
    Published = 0,

    /// <summary>The key that signs new tokens (in the JWKS).</summary>
    Active,

    /// <summary>Superseded: signs nothing new, stays in the JWKS until every token it signed has expired.</summary>
    Retired,
}
