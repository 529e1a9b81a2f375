using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.Configuration;
using Databacker.Api.Client.Discovery;
using Databacker.Api.Client.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>
/// The typed clients and shared services built by <see cref="DatabackerClientBuilder"/>. Thread-safe; keep one for
/// the life of the agent and dispose it at the end.
/// </summary>
public sealed class DatabackerClient : IDisposable, IAsyncDisposable
{
    private readonly ServiceProvider _services;

    internal DatabackerClient(ServiceProvider services)
    {
        _services = services;
        Orchestration = services.GetRequiredService<IOrchestrationClient>();
        Reporting = services.GetRequiredService<IReportingClient>();
        Administration = services.GetRequiredService<IAdministrationClient>();
        Auth = services.GetRequiredService<IAuthClient>();
        Configuration = services.GetRequiredService<ConfigurationClient>();
        Discovery = services.GetRequiredService<IEndpointDiscovery>();
        Routes = services.GetRequiredService<RouteTable>();
        TrustedOrigins = services.GetRequiredService<TrustedOriginRegistry>();
        Tokens = services.GetRequiredService<AccessTokenProvider>();
    }

    /// <summary>Configuration and discovery.</summary>
    public IOrchestrationClient Orchestration { get; }

    /// <summary>Logs and events, sent to the reporting URLs the discovery document names.</summary>
    public IReportingClient Reporting { get; }

    /// <summary>Instance administration, with the end user's token of <see cref="DatabackerClientOptions.UserTokens"/> (never the agent token).</summary>
    public IAdministrationClient Administration { get; }

    /// <summary>The anonymous OAuth endpoints (metadata, key set).</summary>
    public IAuthClient Auth { get; }

    /// <summary>Configuration polling with ETags.</summary>
    public ConfigurationClient Configuration { get; }

    /// <summary>The discovery document.</summary>
    public IEndpointDiscovery Discovery { get; }

    /// <summary>The remembered permanent moves; <see cref="RouteTable.Clear"/> forgets them.</summary>
    public RouteTable Routes { get; }

    /// <summary>The origins the bearer token may go to.</summary>
    public TrustedOriginRegistry TrustedOrigins { get; }

    /// <summary>
    /// Access tokens for <see cref="TokenOptions.Scope"/>, for calls of your own. The SDK's orchestration and reporting
    /// clients each keep their own token (the two services have different audiences), which this provider's
    /// <see cref="AccessTokenProvider.Invalidate"/> does not touch; they renew theirs after a 401 by themselves.
    /// </summary>
    public AccessTokenProvider Tokens { get; }

    /// <inheritdoc />
    public void Dispose() => _services.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
