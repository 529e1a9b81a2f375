namespace Databacker.Api.Auth.Keys;

/// <summary>The NIST elliptic curves supported for ECDSA keys (RFC 7518 section 6.2.1.1).</summary>
public enum EcdsaCurve
{
    /// <summary>P-256 (secp256r1), signing with <c>ES256</c>. The default.</summary>
    P256 = 0,

    /// <summary>P-384 (secp384r1), signing with <c>ES384</c>.</summary>
    P384 = 1,

    /// <summary>P-521 (secp521r1), signing with <c>ES512</c>.</summary>
    P521 = 2,
}
