namespace Databacker.Api.Server.Authentication;

/// <summary>The two authentication schemes; a token of one kind is never accepted by the other.</summary>
public static class DatabackerAuthenticationSchemes
{
    /// <summary>Agent (instance) access tokens issued by the controller's token endpoint.</summary>
    public const string Agent = "DatabackerAgent";

    /// <summary>End-user access tokens from the external authorization server.</summary>
    public const string User = "DatabackerUser";
}
