using System.Buffers.Text;
using System.Formats.Asn1;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Databacker.Api.Auth.Tests.Support;

/// <summary>Hand-built JOSE pieces, independent of the library under test.</summary>
internal static class Jose
{
    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    public static byte[] Unb64(string text) => Base64Url.DecodeFromChars(text);

    public static string Segment(JsonNode node) => B64(node.ToJsonString());

    public static JsonObject DecodeSegment(string segment) => (JsonObject)JsonNode.Parse(Unb64(segment))!;

    public static string SignRaw(ECDsa key, HashAlgorithmName hash, string signingInput) =>
        B64(key.SignData(Encoding.ASCII.GetBytes(signingInput), hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    public static string SignDer(ECDsa key, HashAlgorithmName hash, string signingInput) =>
        B64(key.SignData(Encoding.ASCII.GetBytes(signingInput), hash, DSASignatureFormat.Rfc3279DerSequence));

    public static string SignHmac(byte[] secret, string signingInput) => B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));

    public static HashAlgorithmName HashFor(ECDsa key) => key.KeySize switch
    {
        256 => HashAlgorithmName.SHA256,
        384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    public static string AlgFor(ECDsa key) => key.KeySize switch
    {
        256 => "ES256",
        384 => "ES384",
        _ => "ES512",
    };

    public static readonly BigInteger P256Order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>Turns a P-256 JOSE signature (r, s) into the equally valid (r, n - s).</summary>
    public static string Malleate(string signature)
    {
        var bytes = Unb64(signature);
        var s = new BigInteger(bytes.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        var flipped = (P256Order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = new byte[64];
        bytes.AsSpan(0, 32).CopyTo(result);
        flipped.CopyTo(result.AsSpan(64 - flipped.Length));
        return B64(result);
    }

    /// <summary>Whether a DER signature really is an ASN.1 SEQUENCE (so the DER test sends what it claims).</summary>
    public static bool IsDerSequence(string signature)
    {
        var reader = new AsnReader(Unb64(signature), AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        _ = sequence.ReadInteger();
        _ = sequence.ReadInteger();
        return !sequence.HasData && !reader.HasData;
    }

    public static JsonObject Jwk(ECDsa key)
    {
        var p = key.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = key.KeySize switch { 256 => "P-256", 384 => "P-384", _ => "P-521" },
            ["x"] = B64(p.Q.X!),
            ["y"] = B64(p.Q.Y!),
        };
    }

    /// <summary>RFC 7638 thumbprint computed by hand: members in lexicographic order, no whitespace.</summary>
    public static string Thumbprint(ECDsa key)
    {
        var jwk = Jwk(key);
        var canonical = $"{{\"crv\":\"{jwk["crv"]}\",\"kty\":\"EC\",\"x\":\"{jwk["x"]}\",\"y\":\"{jwk["y"]}\"}}";
        return B64(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
