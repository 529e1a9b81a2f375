namespace Databacker.Api.Client.Authentication;

/// <summary>
/// Signs RFC 7523 client assertions for this instance: a short-lived JWT with <c>iss</c> = <c>sub</c> = the instance
/// id and <c>aud</c> = the authorization server's issuer identifier. Implemented by the Auth package's assertion
/// factory (through an adapter) or by your own key store.
/// </summary>
public interface IClientAssertionProvider
{
    /// <summary>Creates a fresh signed assertion (new <c>jti</c> every time).</summary>
    /// <param name="audience">The issuer identifier of the authorization server (RFC 8414 <c>issuer</c>), never the token endpoint URL.</param>
    /// <param name="cancellationToken">Cancels the signing.</param>
    /// <returns>The compact JWS.</returns>
    ValueTask<string> CreateAssertionAsync(string audience, CancellationToken cancellationToken);
}
