using System.Text.Json;
using System.Text.Json.Serialization;

namespace Databacker.Api.Auth.Keys;

/// <summary>A JSON Web Key Set (RFC 7517 section 5) of public EC keys, as served at <c>jwks_uri</c>.</summary>
public sealed class PublicJsonWebKeySet
{
    /// <summary>Creates a key set.</summary>
    /// <param name="keys">The public keys.</param>
    public PublicJsonWebKeySet(IEnumerable<EcPublicJwk> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Keys = [.. keys];
    }

    /// <summary>The public keys.</summary>
    [JsonPropertyName("keys")]
    public IReadOnlyList<EcPublicJwk> Keys { get; }

    /// <summary>Serializes the set as compact JSON (<c>application/jwk-set+json</c>).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull });
}
