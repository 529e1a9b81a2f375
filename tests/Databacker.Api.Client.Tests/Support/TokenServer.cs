using System.Net;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Support;

/// <summary>An RFC 8414 metadata document and a token endpoint issuing tok-1, tok-2, … on a WireMock server.</summary>
internal static class TokenServer
{
    public static void AddMetadata(WireMockServer server) =>
        server.Given(Request.Create().WithPath("/.well-known/oauth-authorization-server").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody($"{{\"issuer\":\"{server.Url127()}\",\"token_endpoint\":\"{server.Url127()}/token\"}}"));

    /// <summary>Serves tokens numbered from 1, each valid for <paramref name="expiresIn"/> seconds.</summary>
    public static void AddTokenEndpoint(WireMockServer server, int expiresIn = 600, TimeSpan? delay = null)
    {
        AddMetadata(server);
        var counter = new StrongBox();
        var response = Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
            .WithBody(_ => $"{{\"access_token\":\"tok-{Interlocked.Increment(ref counter.Value)}\",\"token_type\":\"Bearer\",\"expires_in\":{expiresIn}}}");
        if (delay is { } d)
        {
            response = response.WithDelay(d);
        }

        server.Given(Request.Create().WithPath("/token").UsingPost()).RespondWith(response);
    }

    public static int TokenRequests(WireMockServer server) => server.Requests("/token").Count;

    private sealed class StrongBox
    {
        public int Value;
    }
}
