using Databacker.Api.Client.Pipeline;

// The generated clients (obj/Generated/Clients.g.cs) declare partial hooks: PrepareRequest, where a DatabackerRequest.With
// scope is captured onto the request the client has just created, and UpdateJsonSerializerSettings, where the contract's
// reading rules (exact round trips of unknown members) are applied.
namespace Databacker.Api.Client;

/// <summary>The generated implementation of <see cref="IOrchestrationClient"/> over an <see cref="HttpClient"/> with the SDK's pipeline.</summary>
/// <content>Captures the per-call overrides of <see cref="DatabackerRequest"/>.</content>
public partial class OrchestrationClient
{
    static partial void UpdateJsonSerializerSettings(Newtonsoft.Json.JsonSerializerSettings settings) => Contracts.Serialization.ContractJsonSettings.Apply(settings);

    partial void PrepareRequest(HttpClient client, HttpRequestMessage request, string url) => DatabackerRequest.Capture(request);
}

/// <summary>The generated implementation of <see cref="IReportingClient"/> over an <see cref="HttpClient"/> with the SDK's pipeline.</summary>
/// <content>Captures the per-call overrides of <see cref="DatabackerRequest"/>.</content>
public partial class ReportingClient
{
    static partial void UpdateJsonSerializerSettings(Newtonsoft.Json.JsonSerializerSettings settings) => Contracts.Serialization.ContractJsonSettings.Apply(settings);

    partial void PrepareRequest(HttpClient client, HttpRequestMessage request, string url) => DatabackerRequest.Capture(request);
}

/// <summary>The generated implementation of <see cref="IAdministrationClient"/> over an <see cref="HttpClient"/> with the SDK's pipeline.</summary>
/// <content>Captures the per-call overrides of <see cref="DatabackerRequest"/> and the caller's user token source.</content>
public partial class AdministrationClient
{
    /// <summary>The end user's token source of the scope this client was resolved in (a scoped source: the signed-in user's).</summary>
    internal Authentication.IUserTokenSource? CallerUserTokens { get; init; }

    static partial void UpdateJsonSerializerSettings(Newtonsoft.Json.JsonSerializerSettings settings) => Contracts.Serialization.ContractJsonSettings.Apply(settings);

    partial void PrepareRequest(HttpClient client, HttpRequestMessage request, string url)
    {
        DatabackerRequest.Capture(request);
        if (CallerUserTokens is { } tokens)
        {
            request.Options.Set(PipelineOptionKeys.UserTokens, tokens);
        }
    }
}

/// <summary>The generated implementation of <see cref="IAuthClient"/> over an <see cref="HttpClient"/> with the SDK's pipeline.</summary>
/// <content>Captures the per-call overrides of <see cref="DatabackerRequest"/>.</content>
public partial class AuthClient
{
    static partial void UpdateJsonSerializerSettings(Newtonsoft.Json.JsonSerializerSettings settings) => Contracts.Serialization.ContractJsonSettings.Apply(settings);

    partial void PrepareRequest(HttpClient client, HttpRequestMessage request, string url) => DatabackerRequest.Capture(request);
}
