using System.Text.Json;
using System.Text.Json.Serialization;

namespace Databacker.Api.Auth.Issuance;

/// <summary>
/// OAuth 2.0 authorization server metadata (RFC 8414) as served at <c>/.well-known/oauth-authorization-server</c>:
/// client credentials with <c>private_key_jwt</c> and ES256/384/512 assertions.
/// </summary>
public sealed class AuthorizationServerMetadata
{
    /// <summary>Creates the metadata.</summary>
    /// <param name="issuer">The issuer identifier: an absolute https URI without query or fragment (http allowed for loopback).</param>
    /// <param name="tokenEndpoint">The token endpoint URL.</param>
    /// <param name="jwksUri">The URL of the JWKS.</param>
    /// <param name="scopesSupported">The scopes offered, if they are to be advertised.</param>
    /// <exception cref="ArgumentException">A URL is not acceptable.</exception>
    public AuthorizationServerMetadata(Uri issuer, Uri tokenEndpoint, Uri jwksUri, IEnumerable<string>? scopesSupported = null)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(tokenEndpoint);
        ArgumentNullException.ThrowIfNull(jwksUri);
        RequireSecureAbsolute(issuer, nameof(issuer));
        RequireSecureAbsolute(tokenEndpoint, nameof(tokenEndpoint));
        RequireSecureAbsolute(jwksUri, nameof(jwksUri));
        if (issuer.Query.Length > 0 || issuer.Fragment.Length > 0)
        {
            throw new ArgumentException("The issuer identifier has no query or fragment (RFC 8414 section 2).", nameof(issuer));
        }

        Issuer = issuer.OriginalString;
        TokenEndpoint = tokenEndpoint.OriginalString;
        JwksUri = jwksUri.OriginalString;
        ScopesSupported = scopesSupported?.ToArray();
    }

    /// <summary>The issuer identifier; the <c>iss</c> of issued tokens and the <c>aud</c> of client assertions.</summary>
    [JsonPropertyName("issuer")]
    public string Issuer { get; }

    /// <summary>The token endpoint URL.</summary>
    [JsonPropertyName("token_endpoint")]
    public string TokenEndpoint { get; }

    /// <summary>The URL of the key set that verifies issued tokens.</summary>
    [JsonPropertyName("jwks_uri")]
    public string JwksUri { get; }

    /// <summary>Supported grant types: <c>client_credentials</c>.</summary>
    [JsonPropertyName("grant_types_supported")]
    public IReadOnlyList<string> GrantTypesSupported { get; } = ["client_credentials"];

    /// <summary>Supported client authentication methods: <c>private_key_jwt</c>.</summary>
    [JsonPropertyName("token_endpoint_auth_methods_supported")]
    public IReadOnlyList<string> TokenEndpointAuthMethodsSupported { get; } = ["private_key_jwt"];

    /// <summary>Algorithms accepted for client assertions: <c>ES256</c>, <c>ES384</c>, <c>ES512</c>.</summary>
    [JsonPropertyName("token_endpoint_auth_signing_alg_values_supported")]
    public IReadOnlyList<string> TokenEndpointAuthSigningAlgValuesSupported { get; } = ["ES256", "ES384", "ES512"];

    /// <summary>The advertised scopes; omitted when null.</summary>
    [JsonPropertyName("scopes_supported")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ScopesSupported { get; }

    /// <summary>Serializes the metadata as JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this);

    private static void RequireSecureAbsolute(Uri uri, string name)
    {
        if (!uri.IsAbsoluteUri || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            throw new ArgumentException("The URL must be absolute and use https (http is allowed only for loopback).", name);
        }
    }
}
