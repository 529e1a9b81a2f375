namespace Databacker.Api.Server.Authorization;

/// <summary>The authorization policies the server applies to the generated controllers, by tag.</summary>
public static class DatabackerPolicies
{
    /// <summary>Orchestration: an agent token with scope <c>orchestration</c>, its audience, bound to the route's instance.</summary>
    public const string Orchestration = "Databacker.Orchestration";

    /// <summary>Reporting: an agent token with scope <c>reporting</c>, its audience, bound to the route's instance.</summary>
    public const string Reporting = "Databacker.Reporting";

    /// <summary>Administration: an end-user token with the required scope (<c>admin</c>).</summary>
    public const string Administration = "Databacker.Administration";
}
