namespace Databacker.Api.Client.Authentication;

/// <summary>Obtains a new access token from the authorization server; <see cref="TokenClient"/> is the standard one.</summary>
public interface IAccessTokenClient
{
    /// <summary>Requests a new access token.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token.</returns>
    /// <exception cref="TokenRequestException">The authorization server refused or failed.</exception>
    Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken);
}
