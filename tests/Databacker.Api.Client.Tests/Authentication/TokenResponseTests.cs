using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.Configuration;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Databacker.Api.Client.Tests.Authentication;

/// <summary>An access token that could not be sent in an Authorization header is the token endpoint's error, and is not kept.</summary>
[TestFixture]
public sealed class TokenResponseTests : ControllerTestBase
{
    private const string ConfigPath = $"/engines/config/{Controller.InstanceId}";

    [TestCase("tok-1\\n", TestName = "A token with a trailing newline is a typed token error and is not kept")]
    [TestCase("tok 1", TestName = "A token with a space is a typed token error and is not kept")]
    public void A_token_that_cannot_be_a_bearer_header_is_a_typed_token_error_and_is_not_kept(string accessToken)
    {
        var server = TestServers.Start();
        TokenServer.AddMetadata(server);
        server.Given(Request.Create().WithPath("/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":600}"));
        using var provider = ClientProvider(server, o => o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1));
        var configuration = provider.GetRequiredService<ConfigurationClient>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var first = Assert.CatchAsync(() => configuration.GetConfigurationAsync(null, cts.Token));
        var tokenRequests = TokenServer.TokenRequests(server);
        var again = Assert.CatchAsync(() => configuration.GetConfigurationAsync(null, cts.Token));

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.InstanceOf<TokenRequestException>());
            Assert.That(again, Is.InstanceOf<TokenRequestException>());
            Assert.That(TokenServer.TokenRequests(server), Is.GreaterThan(tokenRequests), "the next call asks for a new token");
            Assert.That(server.Requests(ConfigPath), Is.Empty, "nothing was sent with the unusable token");
        });
    }

    [TestCase(404)]
    [TestCase(410)]
    public async Task A_token_endpoint_gone_from_where_the_metadata_said_makes_the_next_request_read_the_metadata_again(int status)
    {
        var server = TestServers.Start();
        server.Given(Request.Create().WithPath("/.well-known/oauth-authorization-server").UsingGet()).AtPriority(2)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody($"{{\"issuer\":\"{server.Url127()}\",\"token_endpoint\":\"{server.Url127()}/old-token\"}}"));
        server.Given(Request.Create().WithPath("/old-token").UsingPost()).InScenario("move").WillSetStateTo("moved")
            .RespondWith(Response.Create().WithStatusCode(status));
        server.Given(Request.Create().WithPath("/.well-known/oauth-authorization-server").UsingGet()).AtPriority(1).InScenario("move").WhenStateIs("moved")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody($"{{\"issuer\":\"{server.Url127()}\",\"token_endpoint\":\"{server.Url127()}/token\"}}"));
        server.Given(Request.Create().WithPath("/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"expires_in\":600}"));
        using var http = new HttpClient(TestPipelines.Primary());
        var client = new TokenClient(http, TestPipelines.TokenOptionsFor(server.Uri()), new FakeAssertions());

        Assert.ThrowsAsync<TokenRequestException>(() => client.RequestTokenAsync(CancellationToken.None));
        var token = await client.RequestTokenAsync(CancellationToken.None);

        Assert.That(token.Value, Is.EqualTo("tok-1"));
    }
}
