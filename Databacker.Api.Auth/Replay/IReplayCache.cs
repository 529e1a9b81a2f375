namespace Databacker.Api.Auth.Replay;

/// <summary>
/// Remembers which (client id, <c>jti</c>) pairs have been used, so a client assertion is accepted once. Keyed on the
/// pair, never the token text: an ECDSA signature can be malleated (r, n - s) into a different, equally valid token.
/// </summary>
public interface IReplayCache
{
    /// <summary>
    /// Records the pair if it is not already recorded, as one atomic step where the store allows it.
    /// </summary>
    /// <param name="clientId">The authenticated client (instance) id.</param>
    /// <param name="tokenId">The assertion's <c>jti</c>.</param>
    /// <param name="expiresAt">When the pair may be forgotten: the assertion's <c>exp</c> plus the allowed clock skew.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the pair was new and is now recorded; <see langword="false"/> for a replay.</returns>
    ValueTask<bool> TryAddAsync(string clientId, string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);
}
