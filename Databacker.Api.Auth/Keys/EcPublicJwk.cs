using System.Text.Json;
using System.Text.Json.Serialization;

namespace Databacker.Api.Auth.Keys;

/// <summary>
/// A public elliptic-curve key as a JSON Web Key (RFC 7517, RFC 7518 section 6.2). It has no member for the private
/// part <c>d</c>, so serializing it can never leak a private key.
/// </summary>
public sealed class EcPublicJwk
{
    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Key type; always <c>EC</c>.</summary>
    [JsonPropertyName("kty")]
    public string Kty { get; init; } = "EC";

    /// <summary>Curve: <c>P-256</c>, <c>P-384</c> or <c>P-521</c>.</summary>
    [JsonPropertyName("crv")]
    public required string Crv { get; init; }

    /// <summary>X coordinate, base64url, exactly the curve's coordinate length.</summary>
    [JsonPropertyName("x")]
    public required string X { get; init; }

    /// <summary>Y coordinate, base64url, exactly the curve's coordinate length.</summary>
    [JsonPropertyName("y")]
    public required string Y { get; init; }

    /// <summary>Key id; the RFC 7638 thumbprint when the library assigns it.</summary>
    [JsonPropertyName("kid")]
    public string? Kid { get; init; }

    /// <summary>The algorithm the key is used with: <c>ES256</c>, <c>ES384</c> or <c>ES512</c>, matching the curve.</summary>
    [JsonPropertyName("alg")]
    public string? Alg { get; init; }

    /// <summary>Intended use; <c>sig</c> when present.</summary>
    [JsonPropertyName("use")]
    public string? Use { get; init; }

    /// <summary>Computes the RFC 7638 thumbprint of this key (base64url SHA-256 of the canonical <c>crv,kty,x,y</c> JSON).</summary>
    /// <returns>The thumbprint, usable as <c>kid</c>.</returns>
    public string ComputeThumbprint() => JwkThumbprint.ComputeEc(Crv, X, Y);

    /// <summary>Serializes the key as compact JSON; members that are not set are omitted.</summary>
    /// <returns>The JWK JSON.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, SerializerOptions);
}
