namespace Databacker.Api.Client.DependencyInjection;

/// <summary>
/// The <c>IHttpClientFactory</c> names of the clients <c>AddDatabackerClient</c> registers, to customise one with
/// <c>services.AddHttpClient(name)…</c> (for example a proxy in the primary handler, which must keep redirects off).
/// </summary>
public static class DatabackerClientNames
{
    /// <summary>The orchestration client (configuration, discovery).</summary>
    public const string Orchestration = "Databacker.Orchestration";

    /// <summary>The reporting client (logs, events), routed by discovery.</summary>
    public const string Reporting = "Databacker.Reporting";

    /// <summary>The administration client.</summary>
    public const string Administration = "Databacker.Administration";

    /// <summary>The OAuth client (metadata, token, key set), anonymous.</summary>
    public const string Auth = "Databacker.Auth";

    /// <summary>The client the token provider uses for the metadata and token endpoints.</summary>
    public const string Token = "Databacker.Token";

    /// <summary>Every name above.</summary>
    public static IReadOnlyList<string> All { get; } = [Orchestration, Reporting, Administration, Auth, Token];
}
