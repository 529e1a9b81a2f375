namespace Databacker.Api.Client.Discovery;

/// <summary>
/// The instance's discovery document (<c>GET /engines/endpoints/{instance}</c>): which services its account has and
/// where they live. Cached; refreshed on expiry, after a reporting call was moved (301/308) or refused (410), or on
/// demand. Every origin it names is added to the trusted origins, so the bearer token may go there.
/// </summary>
public interface IEndpointDiscovery
{
    /// <summary>The cached document if it is still fresh, otherwise a newly fetched one (one fetch for every concurrent caller).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The discovered endpoints.</returns>
    /// <exception cref="Exceptions.DatabackerApiException">The controller refused the document and no earlier one is cached.</exception>
    /// <exception cref="HttpRequestException">The controller could not be reached and no earlier one is cached.</exception>
    Task<DiscoveredEndpoints> GetAsync(CancellationToken cancellationToken = default);

    /// <summary>Fetches the document now, whatever the cache holds.</summary>
    /// <param name="cancellationToken">Cancels the fetch.</param>
    /// <returns>The discovered endpoints.</returns>
    Task<DiscoveredEndpoints> RefreshAsync(CancellationToken cancellationToken = default);

    /// <summary>Marks the cached document stale; the next <see cref="GetAsync"/> fetches it again.</summary>
    void Invalidate();
}
