namespace Databacker.Api.Auth.Keys;

/// <summary>Why a public JWK offered for registration was refused.</summary>
public enum InvalidPublicKeyReason
{
    /// <summary>The input is not a JSON object (or not JSON at all).</summary>
    MalformedJson = 0,

    /// <summary>A member appears more than once.</summary>
    DuplicateMember,

    /// <summary>A required member (<c>kty</c>, <c>crv</c>, <c>x</c>, <c>y</c>) is missing or not a string.</summary>
    MissingMember,

    /// <summary>The key contains the private part <c>d</c>.</summary>
    PrivateKeyPresent,

    /// <summary>A member other than <c>kty</c>, <c>crv</c>, <c>x</c>, <c>y</c>, <c>kid</c>, <c>alg</c>, <c>use</c> is present.</summary>
    UnexpectedMember,

    /// <summary><c>kty</c> is not <c>EC</c>.</summary>
    UnsupportedKeyType,

    /// <summary><c>crv</c> is not <c>P-256</c>, <c>P-384</c> or <c>P-521</c>.</summary>
    UnsupportedCurve,

    /// <summary><c>alg</c> is present and is not the one algorithm of the curve.</summary>
    AlgorithmMismatch,

    /// <summary><c>use</c> is present and is not <c>sig</c>.</summary>
    UnsupportedUse,

    /// <summary><c>kid</c> is empty, too long or has characters outside <c>[A-Za-z0-9._~-]</c>.</summary>
    InvalidKeyId,

    /// <summary>A coordinate is not strict base64url or not exactly the curve's length.</summary>
    InvalidCoordinate,

    /// <summary>The point (x, y) is not on the curve.</summary>
    PointNotOnCurve,
}
