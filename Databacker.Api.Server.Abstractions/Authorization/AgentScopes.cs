namespace Databacker.Api.Server.Authorization;

/// <summary>The scopes of agent tokens.</summary>
public static class AgentScopes
{
    /// <summary>Fetch the instance's configuration and discovery document (the Orchestration tag).</summary>
    public const string Orchestration = "orchestration";

    /// <summary>Send the instance's logs and events (the Reporting tag).</summary>
    public const string Reporting = "reporting";
}
