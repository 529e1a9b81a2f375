namespace Databacker.Api.Server.Routing;

/// <summary>The OpenAPI tags of the databacker API; each is served by one generated controller.</summary>
public static class ApiTags
{
    /// <summary>Configuration and discovery for instances (agent tokens, scope <c>orchestration</c>).</summary>
    public const string Orchestration = "Orchestration";

    /// <summary>Logs and events from instances (agent tokens, scope <c>reporting</c>).</summary>
    public const string Reporting = "Reporting";

    /// <summary>Management by end users (user tokens, scope <c>admin</c>).</summary>
    public const string Administration = "Administration";

    /// <summary>The anonymous OAuth endpoints: token, metadata, key set.</summary>
    public const string Auth = "Auth";

    /// <summary>Every tag, in the order of the contract.</summary>
    public static IReadOnlyList<string> All { get; } = [Orchestration, Reporting, Administration, Auth];
}
