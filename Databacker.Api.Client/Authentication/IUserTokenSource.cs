namespace Databacker.Api.Client.Authentication;

/// <summary>
/// Supplies an end user's bearer token for the administration API (the spec's OAuth2 authorization-code flow, run by
/// your application: an OIDC library, a token cache, a token the user pasted). The administration client sends only
/// this token, never the instance's agent token. <see cref="StaticUserTokenSource"/> serves a fixed token.
/// </summary>
public interface IUserTokenSource
{
    /// <summary>The token to send now. Called for every administration request; cache it yourself if fetching is costly.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The bearer token (an RFC 6750 <c>b64token</c>, e.g. a JWT).</returns>
    ValueTask<string> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called once when the server answered 401 to <paramref name="rejectedToken"/>: return a new token to resend the
    /// request with, or <see langword="null"/> to give the 401 to the caller. The default returns <see langword="null"/>.
    /// </summary>
    /// <param name="rejectedToken">The token the server refused.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A different token, or <see langword="null"/>.</returns>
    ValueTask<string?> RefreshAfterRejectionAsync(string rejectedToken, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
}
