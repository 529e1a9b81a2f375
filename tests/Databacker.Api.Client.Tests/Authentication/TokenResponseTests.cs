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
}
