using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Discovery;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Discovery;

[TestFixture]
public sealed class OrchestrationDiscoveryTests : ControllerTestBase
{
    private const string ConfigPath = $"/engines/config/{Controller.InstanceId}";
    private const string EndpointsPath = $"/engines/endpoints/{Controller.InstanceId}";

    private ServiceProvider Provider(WireMockServer controller, Action<DatabackerClientOptions>? tweak = null) =>
        ClientProvider(controller, o =>
        {
            o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
            tweak?.Invoke(o);
        });

    private static void ServeConfig(WireMockServer server, string path = ConfigPath) =>
        server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/vnd.databack.device-config.v1+json")
                .WithHeader("ETag", "\"1\"").WithBody(Controller.ConfigJson));

    private static string?[] Authorizations(WireMockServer server, string path) =>
        server.Requests(path).Select(r => r.Header("Authorization")).ToArray();

    [Test]
    public async Task Orchestration_calls_go_to_the_discovered_orchestration_url_and_carry_the_token_there()
    {
        var controller = Controller.Start(TestServers);
        var orchestration = TestServers.Start();
        Controller.ServeEndpoints(controller, $$"""{"services":["scheduling"],"orchestrationUrl":"{{orchestration.Url127()}}/o/"}""");
        ServeConfig(orchestration, "/o" + ConfigPath);
        using var provider = Provider(controller);

        var config = await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);
        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(config.StatusCode, Is.EqualTo(200));
            Assert.That(Authorizations(orchestration, "/o" + ConfigPath), Is.EqualTo(new[] { "Bearer tok-1", "Bearer tok-1" }), "the discovered origin is trusted");
            Assert.That(controller.Requests(ConfigPath), Is.Empty, "nothing goes to the configured URL but discovery and tokens");
            Assert.That(controller.Requests(EndpointsPath), Has.Count.EqualTo(1), "the discovery document is fetched from the configured URL, once");
            Assert.That(provider.GetRequiredService<TrustedOriginRegistry>().IsTrusted(orchestration.Uri()), Is.True);
        });
    }

    [Test]
    public async Task A_discovery_document_behind_a_redirect_to_an_untrusted_origin_is_not_taken_even_when_such_redirects_are_followed()
    {
        // The client follows redirects to untrusted origins without credentials; the discovery document, which decides
        // which origins are trusted, must not come from one.
        var controller = Controller.Start(TestServers);
        var untrusted = TestServers.Start();
        controller.Given(Request.Create().WithPath(EndpointsPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(301).WithHeader("Location", untrusted.Url127() + EndpointsPath));
        Controller.ServeEndpoints(untrusted, $$"""{"services":["scheduling"],"orchestrationUrl":"{{untrusted.Url127()}}/o/"}""");
        ServeConfig(controller);
        using var provider = Provider(controller, o => o.Routing.CrossOriginRedirects = CrossOriginRedirectPolicy.FollowWithoutCredentials);

        var config = await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(config.StatusCode, Is.EqualTo(200), "the configured URL serves the call");
            Assert.That(untrusted.Requests(EndpointsPath), Is.Empty, "the redirect to the untrusted origin is not followed for discovery");
            Assert.That(provider.GetRequiredService<TrustedOriginRegistry>().IsTrusted(untrusted.Uri()), Is.False);
            Assert.That(Authorizations(controller, ConfigPath), Is.EqualTo(new[] { "Bearer tok-1" }));
        });
    }

    [Test]
    public async Task The_config_url_of_the_discovery_document_wins_for_the_instances_configuration()
    {
        var controller = Controller.Start(TestServers);
        var configs = TestServers.Start();
        Controller.ServeEndpoints(controller, $$"""
            {"services":["scheduling"],"orchestrationUrl":"{{controller.Url127()}}/nowhere/","configUrl":"{{configs.Url127()}}/configs/mine"}
            """);
        ServeConfig(configs, "/configs/mine");
        using var provider = Provider(controller);

        var result = await provider.GetRequiredService<Databacker.Api.Client.Configuration.ConfigurationClient>().GetConfigurationAsync();

        Assert.Multiple(() =>
        {
            Assert.That(result.NotModified, Is.False);
            Assert.That(Authorizations(configs, "/configs/mine"), Is.EqualTo(new[] { "Bearer tok-1" }));
        });
    }

    [TestCase("""["reporting"]""")]
    [TestCase("[]")]
    public async Task The_configuration_is_not_asked_for_when_the_account_has_no_scheduling_and_discovery_still_answers(string services)
    {
        // The spec: without scheduling the instance keeps its local configuration; the client says so before sending.
        var controller = Controller.Start(TestServers);
        Controller.ServeEndpoints(controller, $$"""{"services":{{services}},"orchestrationUrl":"{{controller.Url127()}}/"}""");
        ServeConfig(controller);
        using var provider = Provider(controller);
        var client = provider.GetRequiredService<IOrchestrationClient>();

        var first = Assert.ThrowsAsync<ServiceNotEnabledException>(() => client.GetConfigAsync(Controller.InstanceId));
        var second = Assert.ThrowsAsync<ServiceNotEnabledException>(
            () => provider.GetRequiredService<Databacker.Api.Client.Configuration.ConfigurationClient>().GetConfigurationAsync("\"1\""));
        var endpoints = await client.GetEndpointsAsync(Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(first!.Service, Is.EqualTo(Databacker.Api.Contracts.ServiceName.Scheduling));
            Assert.That(first.Message, Does.Contain("scheduling is not enabled"));
            Assert.That(second!.Service, Is.EqualTo(Databacker.Api.Contracts.ServiceName.Scheduling), "the same from the configuration helper (the cached resolution)");
            Assert.That(controller.Requests(ConfigPath), Is.Empty, "nothing was sent");
            Assert.That(endpoints.Services, Is.EqualTo(services == "[]" ? Array.Empty<Databacker.Api.Contracts.ServiceName>() : new[] { Databacker.Api.Contracts.ServiceName.Reporting }), "discovery itself is served without scheduling");
        });
    }

    [Test]
    public async Task An_orchestration_url_that_could_not_carry_the_token_is_not_used()
    {
        var controller = Controller.Start(TestServers);
        Controller.ServeEndpoints(controller, """{"services":["scheduling"],"orchestrationUrl":"http://orchestration.example.com/","configUrl":"http://orchestration.example.com/c"}""");
        ServeConfig(controller);
        using var provider = Provider(controller);

        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(Authorizations(controller, ConfigPath), Is.EqualTo(new[] { "Bearer tok-1" }), "stayed on the configured URL");
            Assert.That(provider.GetRequiredService<TrustedOriginRegistry>().IsTrusted(new Uri("http://orchestration.example.com/")), Is.False);
        });
    }

    [Test]
    public async Task Without_a_discovery_document_orchestration_stays_on_the_configured_url_and_discovery_is_not_retried_every_call()
    {
        var controller = Controller.Start(TestServers);
        controller.Given(Request.Create().WithPath(EndpointsPath).UsingGet()).RespondWith(Response.Create().WithStatusCode(404));
        ServeConfig(controller);
        using var provider = Provider(controller);
        var client = provider.GetRequiredService<IOrchestrationClient>();

        await client.GetConfigAsync(Controller.InstanceId);
        await client.GetConfigAsync(Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(controller.Requests(ConfigPath), Has.Count.EqualTo(2));
            Assert.That(controller.Requests(EndpointsPath), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void A_move_from_the_discovered_server_to_an_untrusted_origin_fails_by_default()
    {
        var controller = Controller.Start(TestServers);
        var orchestration = TestServers.Start();
        var stranger = TestServers.Start();
        Controller.ServeEndpoints(controller, $$"""{"services":["scheduling"],"orchestrationUrl":"{{orchestration.Url127()}}/"}""");
        orchestration.Given(Request.Create().WithPath(ConfigPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(301).WithHeader("Location", stranger.Url127() + ConfigPath));
        ServeConfig(stranger);
        using var provider = Provider(controller);

        var ex = Assert.ThrowsAsync<RedirectException>(() => provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Reason, Is.EqualTo(RedirectFailureReason.UntrustedOrigin));
            Assert.That(stranger.Requests(), Is.Empty);
            Assert.That(Authorizations(orchestration, ConfigPath), Is.EqualTo(new[] { "Bearer tok-1" }));
        });
    }

    [Test]
    public async Task A_move_from_the_discovered_server_to_an_untrusted_origin_never_carries_the_token_there()
    {
        var controller = Controller.Start(TestServers);
        var orchestration = TestServers.Start();
        var stranger = TestServers.Start();
        Controller.ServeEndpoints(controller, $$"""{"services":["scheduling"],"orchestrationUrl":"{{orchestration.Url127()}}/"}""");
        orchestration.Given(Request.Create().WithPath(ConfigPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(307).WithHeader("Location", stranger.Url127() + ConfigPath));
        ServeConfig(stranger);
        using var provider = Provider(controller, o => o.Routing.CrossOriginRedirects = CrossOriginRedirectPolicy.FollowWithoutCredentials);

        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(Authorizations(orchestration, ConfigPath), Is.EqualTo(new[] { "Bearer tok-1" }));
            Assert.That(Authorizations(stranger, ConfigPath), Is.EqualTo(new string?[] { null }), "an origin nobody named gets no token");
        });
    }

    [Test]
    public async Task A_410_from_the_discovered_server_refreshes_discovery_and_sends_the_call_to_the_new_place()
    {
        var controller = Controller.Start(TestServers);
        var gone = TestServers.Start();
        var current = TestServers.Start();
        controller.Given(Request.Create().WithPath(EndpointsPath).UsingGet()).InScenario("d").WillSetStateTo("moved")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/vnd.databack.endpoints.v1+json")
                .WithBody($$"""{"services":["scheduling"],"orchestrationUrl":"{{gone.Url127()}}/"}"""));
        controller.Given(Request.Create().WithPath(EndpointsPath).UsingGet()).InScenario("d").WhenStateIs("moved")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/vnd.databack.endpoints.v1+json")
                .WithBody($$"""{"services":["scheduling"],"orchestrationUrl":"{{current.Url127()}}/"}"""));
        gone.Given(Request.Create().WithPath(ConfigPath)).RespondWith(Response.Create().WithStatusCode(410));
        ServeConfig(current);
        using var provider = Provider(controller);

        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(gone.Requests(ConfigPath), Has.Count.EqualTo(1));
            Assert.That(Authorizations(current, ConfigPath), Is.EqualTo(new[] { "Bearer tok-1" }));
            Assert.That(controller.Requests(EndpointsPath), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task A_discovery_service_that_throws_at_once_is_treated_like_one_that_fails_and_the_configured_url_serves()
    {
        var primary = RecordingHandler.Always(System.Net.HttpStatusCode.OK);
        var discovery = new ThrowingDiscovery();
        using var client = new HttpClient(new OrchestrationRouteHandler(discovery, new Uri("https://controller.example/"), Controller.InstanceId) { InnerHandler = primary });

        (await client.GetAsync($"https://controller.example{ConfigPath}")).Dispose();
        (await client.GetAsync($"https://controller.example{ConfigPath}")).Dispose();

        Assert.That(primary.Requests.Select(r => r.Uri.ToString()), Is.EqualTo(new[] { $"https://controller.example{ConfigPath}", $"https://controller.example{ConfigPath}" }));
        Assert.That(discovery.Calls, Is.EqualTo(1), "discovery is paused after its failure");
    }

    [Test]
    public async Task The_pause_after_a_failed_discovery_outlives_the_handler_being_recreated()
    {
        // IHttpClientFactory builds a new handler chain every few minutes; the pause belongs to the discovery service.
        var primary = RecordingHandler.Always(System.Net.HttpStatusCode.OK);
        var discovery = new ThrowingDiscovery();
        using (var first = new HttpClient(new OrchestrationRouteHandler(discovery, new Uri("https://controller.example/"), Controller.InstanceId) { InnerHandler = primary }, disposeHandler: false))
        {
            (await first.GetAsync($"https://controller.example{ConfigPath}")).Dispose();
        }

        using var second = new HttpClient(new OrchestrationRouteHandler(discovery, new Uri("https://controller.example/"), Controller.InstanceId) { InnerHandler = primary });
        (await second.GetAsync($"https://controller.example{ConfigPath}")).Dispose();

        Assert.That(discovery.Calls, Is.EqualTo(1), "the new handler does not try discovery again during the pause");
        Assert.That(primary.Requests, Has.Count.EqualTo(2));
    }

    private sealed class ThrowingDiscovery : IEndpointDiscovery
    {
        public int Calls;

        public Task<DiscoveredEndpoints> GetAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            throw new InvalidOperationException("discovery is broken");
        }

        public Task<DiscoveredEndpoints> RefreshAsync(CancellationToken cancellationToken = default) => GetAsync(cancellationToken);

        public void Invalidate()
        {
        }
    }

    [TestCase("engines/endpoints/i-1", null)]
    [TestCase("engines/config/i-1", "https://c.example.com/mine")]
    [TestCase("engines/config/other", "https://o.example.com/base/engines/config/other")]
    [TestCase("engines/whatever?x=1", "https://o.example.com/base/engines/whatever?x=1")]
    public void Resolution_of_orchestration_paths(string relative, string? expected)
    {
        var endpoints = new DiscoveredEndpoints(
            new Contracts.Endpoints { OrchestrationUrl = new Uri("https://o.example.com/base"), ConfigUrl = new Uri("https://c.example.com/mine") },
            DateTimeOffset.UnixEpoch,
            DateTimeOffset.UnixEpoch.AddMinutes(5));

        Assert.That(endpoints.ResolveOrchestration(relative, Controller.InstanceId)?.AbsoluteUri, Is.EqualTo(expected));
    }
}
