namespace Databacker.Api.Server.DependencyInjection;

/// <summary>
/// The built-in implementation of the Auth tag: token endpoint (client credentials with a JWT client assertion),
/// RFC 8414 metadata and the JWKS. An implementer supplies only an <c>IInstanceKeyStore</c> and signing keys in the
/// <c>SigningKeyRing</c>.
/// </summary>
public sealed class AuthorizationServerOptions
{
    /// <summary>
    /// Whether the built-in Auth controller is used. Default true; set false to serve the Auth tag with an own subclass
    /// of <c>AuthControllerBase</c> (or not at all). While true, other subclasses are not mapped.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The public URL of the token endpoint; default <c>{Issuer}/oauth2/token</c>.</summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>The public URL of the key set; default <c>{Issuer}/.well-known/jwks.json</c>.</summary>
    public Uri? JwksUri { get; set; }
}
