using System.Security.Cryptography;
using System.Text.Json;

namespace Databacker.Api.Auth.Keys;

/// <summary>
/// Validates a public JWK offered when an instance is registered: <c>kty</c> EC only, a supported curve with its one
/// algorithm, no private part, no unknown members, coordinates of the exact length and a point on the curve.
/// </summary>
public static class EcPublicJwkValidator
{
    private static readonly HashSet<string> AllowedMembers = new(StringComparer.Ordinal) { "kty", "crv", "x", "y", "kid", "alg", "use" };

    /// <summary>Parses and validates a JWK given as JSON text.</summary>
    /// <param name="json">The JWK JSON.</param>
    /// <returns>The validated key; <see cref="EcPublicJwk.Kid"/> is the given <c>kid</c> or, when absent, the RFC 7638 thumbprint.</returns>
    /// <exception cref="InvalidPublicKeyException">The key is not acceptable; <see cref="InvalidPublicKeyException.Reason"/> says why.</exception>
    public static EcPublicJwk Validate(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return Validate(document.RootElement);
        }
        catch (JsonException)
        {
            throw new InvalidPublicKeyException(InvalidPublicKeyReason.MalformedJson, "The public key is not valid JSON.");
        }
    }

    /// <summary>Validates a JWK given as a parsed JSON element.</summary>
    /// <param name="jwk">The JWK JSON object.</param>
    /// <returns>The validated key; <see cref="EcPublicJwk.Kid"/> is the given <c>kid</c> or, when absent, the RFC 7638 thumbprint.</returns>
    /// <exception cref="InvalidPublicKeyException">The key is not acceptable; <see cref="InvalidPublicKeyException.Reason"/> says why.</exception>
    public static EcPublicJwk Validate(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            throw Fail(InvalidPublicKeyReason.MalformedJson, "The public key must be a JSON object.");
        }

        if (!JsonText.IsReadable(jwk))
        {
            throw Fail(InvalidPublicKeyReason.MalformedJson, "The public key holds a string that is not valid text (a lone surrogate escape).");
        }

        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in jwk.EnumerateObject())
        {
            if (!members.TryAdd(property.Name, property.Value))
            {
                throw Fail(InvalidPublicKeyReason.DuplicateMember, $"The member '{Truncate(property.Name)}' appears more than once.");
            }
        }

        if (members.ContainsKey("d"))
        {
            throw Fail(InvalidPublicKeyReason.PrivateKeyPresent, "The key contains a private part ('d'); register only the public key and keep the private key secret.");
        }

        foreach (var name in members.Keys)
        {
            if (!AllowedMembers.Contains(name))
            {
                throw Fail(InvalidPublicKeyReason.UnexpectedMember, $"The member '{Truncate(name)}' is not allowed in a public EC signing key.");
            }
        }

        var candidate = new EcPublicJwk
        {
            Kty = RequiredString(members, "kty"),
            Crv = RequiredString(members, "crv"),
            X = RequiredString(members, "x"),
            Y = RequiredString(members, "y"),
            Kid = OptionalString(members, "kid"),
            Alg = OptionalString(members, "alg"),
            Use = OptionalString(members, "use"),
        };
        return Validate(candidate);
    }

    /// <summary>
    /// Validates a JWK model (which cannot carry a private part). Checks type, curve, algorithm, use, kid,
    /// coordinate lengths and that the point is on the curve.
    /// </summary>
    /// <param name="jwk">The key.</param>
    /// <returns>The key with <c>kid</c> set to the RFC 7638 thumbprint when it had none.</returns>
    /// <exception cref="InvalidPublicKeyException">The key is not acceptable; <see cref="InvalidPublicKeyException.Reason"/> says why.</exception>
    public static EcPublicJwk Validate(EcPublicJwk jwk)
    {
        ArgumentNullException.ThrowIfNull(jwk);
        _ = ValidateAndDescribe(jwk, out var normalized);
        return normalized;
    }

    /// <summary>Validates and returns the curve, for callers that go on to build an <see cref="ECDsa"/>.</summary>
    internal static CurveInfo ValidateAndDescribe(EcPublicJwk jwk, out EcPublicJwk normalized)
    {
        if (!string.Equals(jwk.Kty, "EC", StringComparison.Ordinal))
        {
            throw Fail(InvalidPublicKeyReason.UnsupportedKeyType, "Only elliptic-curve keys (kty 'EC') are accepted.");
        }

        var curve = CurveInfo.FromJwkName(jwk.Crv)
            ?? throw Fail(InvalidPublicKeyReason.UnsupportedCurve, "The curve must be P-256, P-384 or P-521.");

        if (jwk.Alg is not null && !string.Equals(jwk.Alg, curve.Algorithm, StringComparison.Ordinal))
        {
            throw Fail(InvalidPublicKeyReason.AlgorithmMismatch, $"A {curve.JwkName} key is used with {curve.Algorithm} only.");
        }

        if (jwk.Use is not null && !string.Equals(jwk.Use, "sig", StringComparison.Ordinal))
        {
            throw Fail(InvalidPublicKeyReason.UnsupportedUse, "The key use must be 'sig'.");
        }

        if (jwk.Kid is not null && !IsValidKeyId(jwk.Kid))
        {
            throw Fail(InvalidPublicKeyReason.InvalidKeyId, "The key id must be 1 to 128 characters from [A-Za-z0-9._~-].");
        }

        var x = DecodeCoordinate(jwk.X, curve, "x");
        var y = DecodeCoordinate(jwk.Y, curve, "y");
        if (!curve.IsOnCurve(x, y))
        {
            throw Fail(InvalidPublicKeyReason.PointNotOnCurve, $"The point is not on the {curve.JwkName} curve.");
        }

        // Second opinion from the platform: it must also accept the point.
        try
        {
            using var ecdsa = ECDsa.Create(new ECParameters { Curve = curve.NamedCurve, Q = new ECPoint { X = x, Y = y } });
        }
        catch (CryptographicException)
        {
            throw Fail(InvalidPublicKeyReason.PointNotOnCurve, $"The point is not a valid {curve.JwkName} public key.");
        }

        normalized = new EcPublicJwk
        {
            Kty = "EC",
            Crv = curve.JwkName,
            X = jwk.X,
            Y = jwk.Y,
            Kid = jwk.Kid ?? JwkThumbprint.ComputeEc(curve.JwkName, jwk.X, jwk.Y),
            Alg = jwk.Alg,
            Use = jwk.Use,
        };
        return curve;
    }

    internal static bool IsValidKeyId(string kid)
    {
        if (kid.Length is 0 or > 128)
        {
            return false;
        }

        foreach (var c in kid)
        {
            if (!(c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '~' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] DecodeCoordinate(string value, CurveInfo curve, string name)
    {
        if (!Base64UrlText.TryDecode(value, out var bytes) || bytes.Length != curve.CoordinateLength)
        {
            throw Fail(InvalidPublicKeyReason.InvalidCoordinate, $"The '{name}' coordinate must be {curve.CoordinateLength} bytes of base64url for {curve.JwkName}.");
        }

        return bytes;
    }

    private static string RequiredString(Dictionary<string, JsonElement> members, string name)
    {
        if (!members.TryGetValue(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw Fail(InvalidPublicKeyReason.MissingMember, $"The member '{name}' is required and must be a string.");
        }

        return value.GetString()!;
    }

    private static string? OptionalString(Dictionary<string, JsonElement> members, string name)
    {
        if (!members.TryGetValue(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Fail(InvalidPublicKeyReason.MissingMember, $"The member '{name}' must be a string.");
        }

        return value.GetString();
    }

    private static string Truncate(string value) => value.Length <= 32 ? value : value[..32] + "…";

    private static InvalidPublicKeyException Fail(InvalidPublicKeyReason reason, string message) => new(reason, message);
}
