using Databacker.Api.Server.Negotiation;

namespace Databacker.Api.Server.DependencyInjection;

/// <summary>Settings of a databacker controller endpoint, given to <c>AddDatabackerServer</c>.</summary>
public sealed class DatabackerServerOptions
{
    /// <summary>
    /// The tags (<see cref="Routing.ApiTags"/>) this endpoint serves. When null (the default) it serves every tag
    /// for which a controller is registered. Controllers of tags not listed are not mapped.
    /// </summary>
    public ISet<string>? ImplementedTags { get; set; }

    /// <summary>
    /// Where the tags this endpoint does not serve live: tag → base URL of the endpoint serving it. Requests for their
    /// operations are answered 301 with the same path and query on that URL; operations of tags not listed get 410.
    /// </summary>
    public IDictionary<string, Uri> TagLocations { get; } = new Dictionary<string, Uri>(StringComparer.Ordinal);

    /// <summary>Versions of resources this server supports beyond those of the contract.</summary>
    public ResourceVersionCollection Versions { get; } = new();

    /// <summary>Request body size limits per operation.</summary>
    public RequestBodyLimitOptions RequestBodyLimits { get; } = new();

    /// <summary>Validation of agent (instance) access tokens on the Orchestration and Reporting operations.</summary>
    public AgentTokenOptions AgentTokens { get; } = new();

    /// <summary>Validation of end-user access tokens on the Administration operations.</summary>
    public UserTokenOptions UserTokens { get; } = new();

    /// <summary>The built-in OAuth endpoints (token, metadata, key set) of the Auth tag.</summary>
    public AuthorizationServerOptions AuthorizationServer { get; } = new();

    /// <summary>Whether <c>/openapi.yaml</c> serves the contract. Default true.</summary>
    public bool ServeContract { get; set; } = true;

    /// <summary>The path of the health endpoint; null to map none. Default <c>/healthz</c>.</summary>
    public string? HealthPath { get; set; } = "/healthz";
}
