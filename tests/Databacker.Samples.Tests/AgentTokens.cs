using System.Net.Http.Headers;
using System.Text.Json;
using Databacker.Api.Auth.ClientAssertions;
using Databacker.Api.Auth.Keys;
using Microsoft.Extensions.Options;

namespace Databacker.Samples.Tests;

/// <summary>Raw OAuth calls against a running controller, to check what survives a restart.</summary>
internal static class AgentTokens
{
    /// <summary>Signs a client assertion for <paramref name="instance"/> with the key in <paramref name="keyFile"/>, for the controller's issuer.</summary>
    public static async Task<(string Assertion, Uri TokenEndpoint)> CreateAssertionAsync(Uri controller, string instance, string keyFile)
    {
        using var http = new HttpClient();
        using var metadata = JsonDocument.Parse(await http.GetStringAsync(new Uri(controller, ".well-known/oauth-authorization-server")));
        var issuer = metadata.RootElement.GetProperty("issuer").GetString()!;
        var tokenEndpoint = new Uri(metadata.RootElement.GetProperty("token_endpoint").GetString()!);
        using var keys = new PemFileKeySource(keyFile);
        var factory = new ClientAssertionFactory(keys, Options.Create(new ClientAssertionOptions { InstanceId = instance, Audience = issuer }));
        return (await factory.CreateAsync(), tokenEndpoint);
    }

    /// <summary>Exchanges an assertion; returns the status and the access token (when 200).</summary>
    public static async Task<(int Status, string? AccessToken, string Body)> ExchangeAsync(Uri tokenEndpoint, string assertion, string scope = "orchestration")
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_assertion_type"] = ClientAssertionConstants.AssertionType,
            ["client_assertion"] = assertion,
            ["scope"] = scope,
        }));
        var body = await response.Content.ReadAsStringAsync();
        string? token = null;
        if (response.IsSuccessStatusCode)
        {
            using var json = JsonDocument.Parse(body);
            token = json.RootElement.GetProperty("access_token").GetString();
        }

        return ((int)response.StatusCode, token, body);
    }

    /// <summary>GET /engines/config/{instance} with a bearer token; returns the status.</summary>
    public static async Task<int> GetConfigStatusAsync(Uri controller, string instance, string accessToken)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(controller, $"engines/config/{instance}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.ParseAdd("application/vnd.databack.device-config.v1+json");
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }
}
