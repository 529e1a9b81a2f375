using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Contracts;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Support;

/// <summary>A WireMock controller (metadata, token endpoint, API routes) and the agent settings that point at it.</summary>
internal static class Controller
{
    public const string InstanceId = "i-1";

    public const string ConfigJson = """{ "version": "config.databack.io/v1", "kind": "remote", "metadata": { "name": "r" }, "spec": { "url": "https://config.example.com" } }""";

    /// <summary>Metadata and a token endpoint issuing tok-1, tok-2, …</summary>
    public static WireMockServer Start(Servers servers)
    {
        var server = servers.Start();
        TokenServer.AddTokenEndpoint(server);
        return server;
    }

    public static DatabackerClientOptions Options(WireMockServer server, EcdsaKey key) => new()
    {
        Controller = server.Uri(),
        InstanceId = InstanceId,
        Key = key,
    };

    public static void Configure(DatabackerClientOptions target, WireMockServer server, EcdsaKey key) =>
        Options(server, key).CopyTo(target);

    public static void ServeEndpoints(WireMockServer server, string json) =>
        server.Given(Request.Create().WithPath($"/engines/endpoints/{InstanceId}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithHeader("Content-Type", "application/vnd.databack.endpoints.v1+json").WithBody(json));

    /// <summary>The administration API's path of the instance <see cref="InstanceId"/>.</summary>
    public const string InstancePath = $"/instances/{InstanceId}";

    public const string InstanceJson = $$"""{"id":"{{InstanceId}}","name":"n","services":["reporting"],"keys":[],"createdAt":"2026-01-01T00:00:00Z"}""";

    /// <summary>The administration API's <c>GET /instances/{id}</c> answering <see cref="InstanceJson"/>.</summary>
    public static void ServeInstance(WireMockServer server, string path = InstancePath) =>
        server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithHeader("Content-Type", "application/vnd.databack.instance.v1+json").WithBody(InstanceJson));

    public static void ServeEvents(WireMockServer server, string path = $"/engines/telemetry/{InstanceId}/events") =>
        server.Given(Request.Create().WithPath(path).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201)
                .WithHeader("Content-Type", "application/vnd.databack.event-receipt.v1+json").WithBody("""{"accepted":1,"duplicates":0}"""));

    public static EventBatch OneEvent() => new()
    {
        Events = [new Event { Id = Guid.NewGuid(), Run = Guid.NewGuid(), Type = EventType.RunStarted, Timestamp = DateTimeOffset.UtcNow }],
    };

    /// <summary>The scope form field of each token request, in order.</summary>
    public static string[] TokenScopes(WireMockServer server) => server.Requests("/token")
        .Select(r => System.Web.HttpUtility.ParseQueryString(r.RequestMessage.Body ?? string.Empty)["scope"] ?? "(none)")
        .ToArray();

    /// <summary>The client_assertion of the form posted to /token.</summary>
    public static string PostedAssertion(WireMockServer server)
    {
        var body = server.Requests("/token").First().RequestMessage.Body ?? string.Empty;
        return body.Split('&').Select(p => p.Split('=', 2))
            .Where(p => p[0] == "client_assertion").Select(p => Uri.UnescapeDataString(p[1])).Single();
    }

    /// <summary>Verifies an ES256 compact JWS with the public key only, and returns its header and claims.</summary>
    public static (JsonElement Header, JsonElement Claims) VerifyEs256(string jws, string publicKeyPem)
    {
        var parts = jws.Split('.');
        Assert.That(parts, Has.Length.EqualTo(3), "a compact JWS has three parts");
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(publicKeyPem);
        var valid = ecdsa.VerifyData(
            Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        Assert.That(valid, Is.True, "the assertion's signature verifies with the instance's public key");
        return (JsonDocument.Parse(FromBase64Url(parts[0])).RootElement, JsonDocument.Parse(FromBase64Url(parts[1])).RootElement);
    }

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
