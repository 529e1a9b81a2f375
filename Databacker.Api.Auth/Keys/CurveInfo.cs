using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;

namespace Databacker.Api.Auth.Keys;

/// <summary>Everything the library needs to know about one supported curve, in one place.</summary>
internal sealed class CurveInfo
{
    private CurveInfo(EcdsaCurve curve, string jwkName, string algorithm, int coordinateLength, HashAlgorithmName hash, ECCurve namedCurve, string oid, string[] friendlyNames, BigInteger prime, string bHex)
    {
        Curve = curve;
        JwkName = jwkName;
        Algorithm = algorithm;
        CoordinateLength = coordinateLength;
        Hash = hash;
        NamedCurve = namedCurve;
        Oid = oid;
        FriendlyNames = friendlyNames;
        Prime = prime;
        B = BigInteger.Parse("0" + bHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    public EcdsaCurve Curve { get; }

    /// <summary>The JWK <c>crv</c> value.</summary>
    public string JwkName { get; }

    /// <summary>The one JWS algorithm allowed with this curve.</summary>
    public string Algorithm { get; }

    /// <summary>Length in bytes of one coordinate, and of each of r and s in a JOSE signature.</summary>
    public int CoordinateLength { get; }

    public HashAlgorithmName Hash { get; }

    public ECCurve NamedCurve { get; }

    public string Oid { get; }

    public IReadOnlyList<string> FriendlyNames { get; }

    /// <summary>Field prime p; the curves use a = p - 3.</summary>
    public BigInteger Prime { get; }

    /// <summary>Curve coefficient b (FIPS 186-4 appendix D.1.2).</summary>
    public BigInteger B { get; }

    public static CurveInfo P256 { get; } = new(
        EcdsaCurve.P256, "P-256", "ES256", 32, HashAlgorithmName.SHA256, ECCurve.NamedCurves.nistP256, "1.2.840.10045.3.1.7",
        ["nistP256", "ECDSA_P256", "prime256v1", "secp256r1"],
        BigInteger.Pow(2, 256) - BigInteger.Pow(2, 224) + BigInteger.Pow(2, 192) + BigInteger.Pow(2, 96) - 1,
        "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");

    public static CurveInfo P384 { get; } = new(
        EcdsaCurve.P384, "P-384", "ES384", 48, HashAlgorithmName.SHA384, ECCurve.NamedCurves.nistP384, "1.3.132.0.34",
        ["nistP384", "ECDSA_P384", "secp384r1"],
        BigInteger.Pow(2, 384) - BigInteger.Pow(2, 128) - BigInteger.Pow(2, 96) + BigInteger.Pow(2, 32) - 1,
        "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef");

    public static CurveInfo P521 { get; } = new(
        EcdsaCurve.P521, "P-521", "ES512", 66, HashAlgorithmName.SHA512, ECCurve.NamedCurves.nistP521, "1.3.132.0.35",
        ["nistP521", "ECDSA_P521", "secp521r1"],
        BigInteger.Pow(2, 521) - 1,
        "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00");

    public static IReadOnlyList<CurveInfo> All { get; } = [P256, P384, P521];

    public static CurveInfo For(EcdsaCurve curve) => curve switch
    {
        EcdsaCurve.P256 => P256,
        EcdsaCurve.P384 => P384,
        EcdsaCurve.P521 => P521,
        _ => throw new ArgumentOutOfRangeException(nameof(curve), curve, "Unsupported curve."),
    };

    public static CurveInfo? FromJwkName(string? crv)
    {
        foreach (var info in All)
        {
            if (string.Equals(info.JwkName, crv, StringComparison.Ordinal))
            {
                return info;
            }
        }

        return null;
    }

    public static CurveInfo? FromECCurve(ECCurve curve)
    {
        if (!curve.IsNamed)
        {
            return null;
        }

        foreach (var info in All)
        {
            if (string.Equals(curve.Oid.Value, info.Oid, StringComparison.Ordinal)
                || info.FriendlyNames.Contains(curve.Oid.FriendlyName, StringComparer.OrdinalIgnoreCase))
            {
                return info;
            }
        }

        return null;
    }

    /// <summary>
    /// Checks y² = x³ - 3x + b (mod p) with both coordinates in [0, p). Done here rather than trusting the platform's
    /// import, so an invalid-curve point is rejected the same way on every OS.
    /// </summary>
    public bool IsOnCurve(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var bx = new BigInteger(x, isUnsigned: true, isBigEndian: true);
        var by = new BigInteger(y, isUnsigned: true, isBigEndian: true);
        if (bx >= Prime || by >= Prime)
        {
            return false;
        }

        var left = BigInteger.ModPow(by, 2, Prime);
        var right = (BigInteger.ModPow(bx, 3, Prime) - (3 * bx) + B) % Prime;
        if (right.Sign < 0)
        {
            right += Prime;
        }

        return left == right;
    }
}
