using Databacker.Api.Contracts;
using Refit;

namespace Databacker.Api.Benchmarks.ClientCalls;

/// <summary>The same operation as <c>OrchestrationClient.GetConfigAsync</c>, as a Refit interface.</summary>
public interface IRefitOrchestration
{
    /// <summary><c>GET /engines/config/{instance}</c>.</summary>
    /// <param name="instance">The instance id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    [Get("/engines/config/{instance}")]
    [Headers("Accept: " + ConfigServer.ConfigMediaType)]
    Task<ConfigDocument> GetConfigAsync(string instance, CancellationToken cancellationToken = default);
}
