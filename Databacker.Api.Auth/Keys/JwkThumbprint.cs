using System.Security.Cryptography;
using System.Text.Json;

namespace Databacker.Api.Auth.Keys;

/// <summary>JWK thumbprints (RFC 7638) for elliptic-curve keys.</summary>
public static class JwkThumbprint
{
    /// <summary>
    /// Computes the RFC 7638 SHA-256 thumbprint of an EC public key: the base64url SHA-256 of
    /// <c>{"crv":…,"kty":"EC","x":…,"y":…}</c> with members in lexicographic order and no whitespace.
    /// </summary>
    /// <param name="crv">The curve name, e.g. <c>P-256</c>.</param>
    /// <param name="x">The base64url X coordinate.</param>
    /// <param name="y">The base64url Y coordinate.</param>
    /// <returns>The base64url thumbprint.</returns>
    public static string ComputeEc(string crv, string x, string y)
    {
        ArgumentNullException.ThrowIfNull(crv);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Base64UrlText.Encode(SHA256.HashData(CanonicalEcJson(crv, x, y)));
    }

    /// <summary>The canonical RFC 7638 JSON, as UTF-8; exposed internally so tests can compare it.</summary>
    internal static byte[] CanonicalEcJson(string crv, string x, string y)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writer.WriteString("crv", crv);
            writer.WriteString("kty", "EC");
            writer.WriteString("x", x);
            writer.WriteString("y", y);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
