using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.DependencyInjection;

/// <summary>
/// <c>AddDatabackerAdministrationClient</c> and <c>BuildAdministrationClient</c>: the administration client alone, for a
/// tool that is no instance (no instance id, no key, no agent token); and registrations that are made twice.
/// </summary>
[TestFixture]
public sealed class AdministrationClientTests : ControllerTestBase
{
    private const string UserToken = "operator.jwt-token_1";

    private static ServiceProvider AdministrationProvider(WireMockServer server, Action<DatabackerClientOptions>? tweak = null, Action<IServiceCollection>? more = null) =>
        AdministrationProvider(server, UserToken, tweak, more);

    [Test]
    public async Task A_tool_without_an_instance_identity_starts_and_calls_with_the_end_users_token_only()
    {
        var server = Controller.Start(TestServers);
        Controller.ServeInstance(server);
        using var provider = AdministrationProvider(server);
        provider.GetRequiredService<IStartupValidator>().Validate();

        var instance = await provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId);

        var call = server.Requests(Controller.InstancePath).Single();
        Assert.Multiple(() =>
        {
            Assert.That(instance.Id, Is.EqualTo(Controller.InstanceId));
            Assert.That(call.Header("Authorization"), Is.EqualTo($"Bearer {UserToken}"));
            Assert.That(call.Header("Accept"), Is.EqualTo("application/vnd.databack.instance.v1+json"));
            Assert.That(server.Requests("/token"), Is.Empty, "no agent token is fetched");
            Assert.That(provider.GetService<IOrchestrationClient>(), Is.Null, "the agent's clients are not registered");
            Assert.That(provider.GetService<AccessTokenProvider>(), Is.Null);
        });
    }

    [Test]
    public async Task The_pipeline_retries_a_503_with_the_user_token_on_every_attempt()
    {
        var server = Controller.Start(TestServers);
        server.Given(Request.Create().WithPath(Controller.InstancePath).UsingGet()).InScenario("flaky").WillSetStateTo("recovered")
            .RespondWith(Response.Create().WithStatusCode(503));
        server.Given(Request.Create().WithPath(Controller.InstancePath).UsingGet()).InScenario("flaky").WhenStateIs("recovered")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/vnd.databack.instance.v1+json").WithBody(Controller.InstanceJson));
        using var provider = AdministrationProvider(server);

        var instance = await provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(instance.Id, Is.EqualTo(Controller.InstanceId));
            Assert.That(server.Requests(Controller.InstancePath).Select(r => r.Header("Authorization")), Is.EqualTo(new[] { $"Bearer {UserToken}", $"Bearer {UserToken}" }));
        });
    }

    [Test]
    public void A_move_to_an_untrusted_origin_is_refused_and_the_user_token_never_reaches_it()
    {
        var server = Controller.Start(TestServers);
        var foreign = TestServers.Start();
        Controller.ServeInstance(foreign);
        server.Given(Request.Create().WithPath(Controller.InstancePath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(301).WithHeader("Location", foreign.Uri(Controller.InstancePath).ToString()));
        using var provider = AdministrationProvider(server);

        var ex = Assert.ThrowsAsync<RedirectException>(() => provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Reason, Is.EqualTo(RedirectFailureReason.UntrustedOrigin));
            Assert.That(foreign.Requests(), Is.Empty);
        });
    }

    [Test]
    public void The_token_issuer_setting_does_not_make_an_origin_trusted_for_the_user_token()
    {
        var server = Controller.Start(TestServers);
        var issuer = TestServers.Start();
        Controller.ServeInstance(issuer);
        server.Given(Request.Create().WithPath(Controller.InstancePath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(301).WithHeader("Location", issuer.Uri(Controller.InstancePath).ToString()));
        using var provider = AdministrationProvider(server, o => o.Token.Issuer = issuer.Uri());
        provider.GetRequiredService<IStartupValidator>().Validate();

        var ex = Assert.ThrowsAsync<RedirectException>(() => provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Reason, Is.EqualTo(RedirectFailureReason.UntrustedOrigin), "an agent's token issuer is trusted; an administration tool has none");
            Assert.That(issuer.Requests(), Is.Empty);
        });
    }

    [TestCase(false, TestName = "A scoped token source passes start-up with scope validation on and is used by a client resolved in a scope")]
    [TestCase(true, TestName = "A scoped token source passes start-up with scope validation on and is used by a client resolved from the root provider")]
    public async Task A_scoped_token_source_passes_start_up_with_scope_validation_on_and_is_used(bool fromRoot)
    {
        // The options check asks whether a source is registered without resolving it from the root provider, which a
        // scoped source (the signed-in user's session) would refuse there. A client resolved in a scope takes it from
        // there; one resolved from the root (held by a singleton) uses the handler's own, as before.
        var server = Controller.Start(TestServers);
        Controller.ServeInstance(server);
        var services = new ServiceCollection();
        services.AddScoped<IUserTokenSource, FixedSource>();
        services.AddDatabackerAdministrationClient(o => o.Controller = server.Uri());
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        provider.GetRequiredService<IStartupValidator>().Validate();
        using var scope = provider.CreateScope();
        var resolver = fromRoot ? provider : scope.ServiceProvider;
        await resolver.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId);

        Assert.That(server.Requests(Controller.InstancePath).Single().Header("Authorization"), Is.EqualTo($"Bearer {FixedSource.Token}"));
    }

    [Test]
    public void Start_up_ignores_the_agents_settings_it_does_not_use()
    {
        var server = Controller.Start(TestServers);
        using var provider = AdministrationProvider(server, o =>
        {
            o.Token = null!;
            o.Discovery = null!;
            o.AssertionLifetime = TimeSpan.FromHours(1);
        });

        Assert.DoesNotThrow(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Test]
    public void Start_up_fails_without_an_end_users_token_source_and_names_both_ways_to_give_one()
    {
        var server = Controller.Start(TestServers);
        using var provider = AdministrationProvider(server, o => o.UserTokens = null);

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Failures, Has.Some.StartsWith("UserTokens is required").And.Some.Contains("AddDatabackerUserTokens"));
    }

    [Test]
    public async Task A_token_source_registered_in_the_container_satisfies_start_up_and_is_used()
    {
        var server = Controller.Start(TestServers);
        Controller.ServeInstance(server);
        using var provider = AdministrationProvider(server, o => o.UserTokens = null, services => services.AddDatabackerUserTokens<FixedSource>());
        provider.GetRequiredService<IStartupValidator>().Validate();

        await provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId);

        Assert.That(server.Requests(Controller.InstancePath).Single().Header("Authorization"), Is.EqualTo($"Bearer {FixedSource.Token}"));
    }

    [Test]
    public void Start_up_still_checks_the_controller_url_and_the_primary_handler()
    {
        var server = Controller.Start(TestServers);
        using var plainHttp = AdministrationProvider(server, o => o.Controller = new Uri("http://controller.example.com/"));
        using var redirecting = AdministrationProvider(server, o => o.PrimaryHandler = () => new SocketsHttpHandler { AllowAutoRedirect = true });

        var http = Assert.Throws<OptionsValidationException>(() => plainHttp.GetRequiredService<IStartupValidator>().Validate());
        var primary = Assert.Throws<OptionsValidationException>(() => redirecting.GetRequiredService<IStartupValidator>().Validate());

        Assert.Multiple(() =>
        {
            Assert.That(http!.Failures, Has.Some.StartsWith("Controller must use https"));
            Assert.That(primary!.Message, Does.Contain("AllowAutoRedirect"));
        });
    }

    [Test]
    public void Registering_the_agents_clients_and_the_administration_client_alone_in_one_container_is_refused_either_way()
    {
        var agentFirst = new ServiceCollection().AddDatabackerClient(o => o.InstanceId = "i-1");
        var administrationFirst = new ServiceCollection().AddDatabackerAdministrationClient(o => o.UserTokens = new StaticUserTokenSource(UserToken));

        var first = Assert.Throws<InvalidOperationException>(() => agentFirst.AddDatabackerAdministrationClient(_ => { }));
        var second = Assert.Throws<InvalidOperationException>(() => administrationFirst.AddDatabackerClient(_ => { }));

        Assert.Multiple(() =>
        {
            Assert.That(first!.Message, Does.Contain("already registers IAdministrationClient").And.Contain("UserTokens"));
            Assert.That(second!.Message, Does.Contain("AddDatabackerClient registers the administration client too"));
        });
    }

    [Test]
    public void The_reporting_sender_is_refused_next_to_an_administration_only_registration()
    {
        var administrationFirst = new ServiceCollection().AddDatabackerAdministrationClient(o => o.UserTokens = new StaticUserTokenSource(UserToken));
        var senderFirst = new ServiceCollection().AddDatabackerReportingSender();

        var first = Assert.Throws<InvalidOperationException>(() => administrationFirst.AddDatabackerReportingSender());
        var second = Assert.Throws<InvalidOperationException>(() => senderFirst.AddDatabackerAdministrationClient(o => o.UserTokens = new StaticUserTokenSource(UserToken)));

        Assert.Multiple(() =>
        {
            Assert.That(first!.Message, Does.Contain("AddDatabackerClient").And.Contain("reporting client"));
            Assert.That(second!.Message, Is.EqualTo(first.Message));
        });
    }

    [Test]
    public void Calling_AddDatabackerClient_twice_keeps_one_pipeline_and_both_configurations()
    {
        var services = new ServiceCollection();
        services.AddDatabackerClient(o => Controller.Configure(o, Controller.Start(TestServers), Key));
        services.AddDatabackerClient(o => o.Resilience.MaxRetryAttempts = 1);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var handlers = provider.GetRequiredService<IHttpMessageHandlerFactory>();
        Assert.Multiple(() =>
        {
            foreach (var name in new[] { DatabackerClientNames.Orchestration, DatabackerClientNames.Reporting, DatabackerClientNames.Administration })
            {
                Assert.That(Chain(handlers.CreateHandler(name)).OfType<ResilienceHandler>().Count(), Is.EqualTo(1), name);
            }

            Assert.That(provider.GetRequiredService<IOptions<DatabackerClientOptions>>().Value.Resilience.MaxRetryAttempts, Is.EqualTo(1));
            Assert.That(provider.GetRequiredService<IOptions<DatabackerClientOptions>>().Value.InstanceId, Is.EqualTo(Controller.InstanceId));
        });
    }

    [Test]
    public void Calling_AddDatabackerAdministrationClient_twice_keeps_one_pipeline()
    {
        var server = Controller.Start(TestServers);
        var services = new ServiceCollection();
        services.AddDatabackerAdministrationClient(o =>
        {
            o.Controller = server.Uri();
            o.UserTokens = new StaticUserTokenSource(UserToken);
        });
        services.AddDatabackerAdministrationClient(o => o.Resilience.MaxRetryAttempts = 0);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var chain = Chain(provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(DatabackerClientNames.Administration)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<IOptions<DatabackerClientOptions>>().Value.Resilience.MaxRetryAttempts, Is.Zero, "the second call's configuration applies");
            Assert.That(chain.OfType<ResilienceHandler>().Count(), Is.EqualTo(1));
            Assert.That(chain.OfType<UserTokenHandler>().Count(), Is.EqualTo(1));
            Assert.That(chain.OfType<AccessTokenHandler>(), Is.Empty, "never the agent token");
        });
    }

    [Test]
    public async Task The_builder_makes_an_administration_client_without_a_container_of_your_own()
    {
        var server = Controller.Start(TestServers);
        Controller.ServeInstance(server);
        using var admin = new DatabackerClientBuilder(o =>
        {
            o.Controller = server.Uri();
            o.UserTokens = new StaticUserTokenSource(UserToken);
        }).BuildAdministrationClient();

        var instance = await admin.Administration.GetInstanceAsync(Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(instance.Id, Is.EqualTo(Controller.InstanceId));
            Assert.That(server.Requests(Controller.InstancePath).Single().Header("Authorization"), Is.EqualTo($"Bearer {UserToken}"));
        });
    }

    [Test]
    public void The_builder_refuses_an_administration_client_without_a_user_token_source()
    {
        var builder = new DatabackerClientBuilder(o => o.Controller = new Uri("https://controller.example.com/"));

        var ex = Assert.Throws<OptionsValidationException>(() => builder.BuildAdministrationClient());

        Assert.That(ex!.Failures, Has.Some.StartsWith("UserTokens is required"));
    }

    private static IEnumerable<HttpMessageHandler> Chain(HttpMessageHandler handler)
    {
        for (HttpMessageHandler? current = handler; current is not null; current = (current as DelegatingHandler)?.InnerHandler)
        {
            yield return current;
        }
    }

    /// <summary>The signed-in user of a request scope, as a dashboard has it.</summary>
    private sealed class Session
    {
        public string User { get; set; } = "nobody";
    }

    private sealed class SessionSource(Session session) : IUserTokenSource
    {
        public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => new("token-of-" + session.User);

        public ValueTask<string?> RefreshAfterRejectionAsync(string rejectedToken, CancellationToken cancellationToken) => new((string?)null);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_scoped_token_source_gives_each_callers_scope_its_own_users_token(bool agentRegistration)
    {
        var server = Controller.Start(TestServers);
        Controller.ServeInstance(server);
        var services = new ServiceCollection();
        services.AddScoped<Session>();
        services.AddScoped<IUserTokenSource, SessionSource>();
        if (agentRegistration)
        {
            services.AddDatabackerClient(o => Controller.Configure(o, server, Key));
        }
        else
        {
            services.AddDatabackerAdministrationClient(o => o.Controller = server.Uri());
        }

        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        foreach (var user in new[] { "alice", "bob" })
        {
            using var scope = provider.CreateScope();
            scope.ServiceProvider.GetRequiredService<Session>().User = user;
            await scope.ServiceProvider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId);
        }

        Assert.That(server.Requests(Controller.InstancePath).Select(r => r.Header("Authorization")), Is.EqualTo(new[] { "Bearer token-of-alice", "Bearer token-of-bob" }));
    }

    private sealed class FixedSource : IUserTokenSource
    {
        public const string Token = "from-the-container";

        public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => new(Token);

        public ValueTask<string?> RefreshAfterRejectionAsync(string rejectedToken, CancellationToken cancellationToken) => new((string?)null);
    }
}
