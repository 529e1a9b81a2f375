using System.Net;
using Databacker.Api.Client.Exceptions;

namespace Databacker.Api.Client.Configuration;

/// <summary>
/// Polls this instance's configuration document cheaply: sends the ETag of the document the agent already has in
/// <c>If-None-Match</c> and turns the controller's <c>304</c> into <see cref="ConfigurationResult.NotModified"/>
/// instead of an exception.
/// </summary>
/// <example>
/// <code>
/// var result = await configuration.GetConfigurationAsync(lastETag, ct);
/// if (!result.NotModified) { Apply(result.Document!); lastETag = result.ETag; }
/// </code>
/// </example>
public sealed class ConfigurationClient
{
    private readonly IOrchestrationClient _orchestration;
    private readonly string _instanceId;

    /// <summary>Creates the helper.</summary>
    /// <param name="orchestration">The orchestration client (from <c>AddDatabackerClient</c> or <see cref="DependencyInjection.DatabackerClientBuilder"/>).</param>
    /// <param name="instanceId">This instance's id.</param>
    public ConfigurationClient(IOrchestrationClient orchestration, string instanceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        _orchestration = orchestration ?? throw new ArgumentNullException(nameof(orchestration));
        _instanceId = instanceId;
    }

    /// <summary>Fetches the configuration document unless the one identified by <paramref name="etag"/> is still current.</summary>
    /// <param name="etag">The ETag of the document the caller has (as received, quotes included), or <see langword="null"/> for the first fetch.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new document and its ETag, or <see cref="ConfigurationResult.NotModified"/>.</returns>
    /// <exception cref="ServiceNotEnabledException">The discovery document says scheduling is not enabled for the
    /// account: the instance keeps its local configuration (nothing was sent).</exception>
    /// <exception cref="DatabackerApiException">Any other answer than 200 or 304, and a 304 to a first fetch (without
    /// <paramref name="etag"/>): there is no document the caller has that it could mean, and "not modified" would leave
    /// the agent without a configuration, silently.</exception>
    public async Task<ConfigurationResult> GetConfigurationAsync(string? etag = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await _orchestration.GetConfigAsync(_instanceId, string.IsNullOrEmpty(etag) ? null : etag, cancellationToken).ConfigureAwait(false);
            return ConfigurationResult.Changed(response.Result, HeaderOf(response.Headers, "ETag"));
        }
        catch (DatabackerApiException ex) when (ex.StatusCode == HttpStatusCode.NotModified && !string.IsNullOrEmpty(etag))
        {
            return ConfigurationResult.Unchanged(ex.ResponseHeaders.TryGetValue("ETag", out var values) && values.Count > 0 ? values[0] : etag);
        }
    }

    private static string? HeaderOf(IReadOnlyDictionary<string, IEnumerable<string>> headers, string name) =>
        headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
}
