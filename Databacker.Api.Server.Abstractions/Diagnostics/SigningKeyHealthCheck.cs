using Databacker.Api.Auth.Issuance;
using Databacker.Api.Server.DependencyInjection;
using Databacker.Api.Server.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Server.Diagnostics;

/// <summary>
/// Unhealthy while this endpoint serves the token endpoint without an active signing key: every token request fails
/// then, so no agent can call. Forgetting <c>SigningKeyRing.Add</c> at start-up shows in the health endpoint, not only
/// in the first agent's 500.
/// </summary>
internal sealed class SigningKeyHealthCheck(SigningKeyRing ring, IOptions<DatabackerServerOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var server = options.Value;
        var servesTokens = server.AuthorizationServer.Enabled && (server.ImplementedTags?.Contains(ApiTags.Auth) ?? true);
        if (!servesTokens || ring.GetStatus().Any(k => k.State == SigningKeyState.Active))
        {
            return Task.FromResult(HealthCheckResult.Healthy());
        }

        return Task.FromResult(HealthCheckResult.Unhealthy(
            "The token endpoint has no active signing key: token requests fail until one is added to the SigningKeyRing."));
    }
}
