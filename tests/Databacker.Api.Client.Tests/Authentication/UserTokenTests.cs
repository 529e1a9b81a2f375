using System.Net;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Authentication;

[TestFixture]
public sealed class UserTokenTests : ControllerTestBase
{
    private const string UserToken = "user.jwt-token_1";
    private const string ConfigPath = $"/engines/config/{Controller.InstanceId}";

    private ServiceProvider Provider(WireMockServer controller, Action<DatabackerClientOptions>? tweak = null, Action<IServiceCollection>? more = null) =>
        ClientProvider(
            controller,
            o =>
            {
                o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
                tweak?.Invoke(o);
            },
            more);

    private static void ServeConfig(WireMockServer server) =>
        server.Given(Request.Create().WithPath(ConfigPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/vnd.databack.device-config.v1+json")
                .WithHeader("ETag", "\"1\"").WithBody(Controller.ConfigJson));

    private static string?[] Authorizations(WireMockServer server, string path) =>
        server.Requests(path).Select(r => r.Header("Authorization")).ToArray();

    [Test]
    public async Task Administration_calls_carry_the_user_token_and_agent_calls_the_agent_token()
    {
        var controller = Controller.Start(TestServers);
        Controller.ServeInstance(controller);
        ServeConfig(controller);
        using var provider = Provider(controller, o => o.UserTokens = new StaticUserTokenSource(UserToken));

        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);
        var instance = await provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId);
        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(instance.Id, Is.EqualTo(Controller.InstanceId));
            Assert.That(Authorizations(controller, Controller.InstancePath), Is.EqualTo(new[] { $"Bearer {UserToken}" }));
            Assert.That(Authorizations(controller, ConfigPath), Is.EqualTo(new[] { "Bearer tok-1", "Bearer tok-1" }));
            Assert.That(Controller.TokenScopes(controller), Is.EqualTo(new[] { "orchestration" }), "no agent token is fetched for administration");
        });
    }

    [Test]
    public void Without_a_user_token_an_administration_call_fails_before_anything_is_sent()
    {
        var controller = Controller.Start(TestServers);
        Controller.ServeInstance(controller);
        using var provider = Provider(controller);

        var ex = Assert.ThrowsAsync<UserTokenRequiredException>(
            () => provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain("end user's token").And.Contain("UserTokens"));
            Assert.That(ex.RequestMethod, Is.EqualTo(HttpMethod.Get));
            Assert.That(ex.RequestUri!.AbsolutePath, Is.EqualTo(Controller.InstancePath));
            Assert.That(controller.Requests(Controller.InstancePath), Is.Empty, "nothing sent, and certainly not the agent token");
            Assert.That(TokenServer.TokenRequests(controller), Is.Zero, "no agent token is even fetched");
        });
    }

    [Test]
    public async Task The_agent_token_never_reaches_administration_routes_even_after_agent_calls_cached_one()
    {
        var controller = Controller.Start(TestServers);
        Controller.ServeInstance(controller);
        ServeConfig(controller);
        using var provider = Provider(controller, o => o.UserTokens = new StaticUserTokenSource(UserToken));
        var admin = provider.GetRequiredService<IAdministrationClient>();
        var orchestration = provider.GetRequiredService<IOrchestrationClient>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => i % 2 == 0
            ? (Task)admin.GetInstanceAsync(Controller.InstanceId)
            : orchestration.GetConfigAsync(Controller.InstanceId)));

        var adminAuth = Authorizations(controller, Controller.InstancePath);
        Assert.Multiple(() =>
        {
            Assert.That(adminAuth, Has.Length.EqualTo(4).And.All.EqualTo($"Bearer {UserToken}"));
            Assert.That(Authorizations(controller, ConfigPath), Has.Length.EqualTo(4).And.All.StartWith("Bearer tok-"));
        });
    }

    [Test]
    public async Task A_user_token_source_registered_in_the_container_is_used()
    {
        var controller = Controller.Start(TestServers);
        Controller.ServeInstance(controller);
        using var provider = Provider(controller, more: s => s.AddDatabackerUserTokens<CountingSource>());

        await provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId);

        Assert.That(Authorizations(controller, Controller.InstancePath), Is.EqualTo(new[] { "Bearer from-container-1" }));
    }

    [Test]
    public async Task A_401_asks_the_source_once_for_a_new_token_and_resends_once()
    {
        var controller = Controller.Start(TestServers);
        controller.Given(Request.Create().WithPath(Controller.InstancePath).UsingGet().WithHeader("Authorization", "Bearer from-container-1"))
            .RespondWith(Response.Create().WithStatusCode(401));
        Controller.ServeInstance(controller);
        using var provider = Provider(controller, more: s => s.AddDatabackerUserTokens<CountingSource>());

        await provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId);

        Assert.That(Authorizations(controller, Controller.InstancePath), Is.EqualTo(new[] { "Bearer from-container-1", "Bearer from-container-2" }));
    }

    [Test]
    public void A_401_with_a_static_token_is_given_to_the_caller_without_a_resend()
    {
        var controller = Controller.Start(TestServers);
        controller.Given(Request.Create().WithPath(Controller.InstancePath).UsingGet()).RespondWith(Response.Create().WithStatusCode(401));
        using var provider = Provider(controller, o => o.UserTokens = new StaticUserTokenSource(UserToken));

        var ex = Assert.ThrowsAsync<DatabackerApiException>(() => provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId));

        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(controller.Requests(Controller.InstancePath), Has.Count.EqualTo(1));
    }

    [Test]
    public void A_move_to_an_untrusted_origin_is_followed_without_the_user_token_when_allowed()
    {
        var controller = Controller.Start(TestServers);
        var elsewhere = TestServers.Start();
        controller.Given(Request.Create().WithPath(Controller.InstancePath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(307).WithHeader("Location", elsewhere.Url127() + Controller.InstancePath));
        elsewhere.Given(Request.Create().WithPath(Controller.InstancePath).UsingGet()).RespondWith(Response.Create().WithStatusCode(401));
        using var provider = Provider(controller, o =>
        {
            o.UserTokens = new StaticUserTokenSource(UserToken);
            o.Routing.CrossOriginRedirects = CrossOriginRedirectPolicy.FollowWithoutCredentials;
        });

        Assert.ThrowsAsync<DatabackerApiException>(() => provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId));

        Assert.Multiple(() =>
        {
            Assert.That(Authorizations(controller, Controller.InstancePath), Is.EqualTo(new[] { $"Bearer {UserToken}" }));
            Assert.That(Authorizations(elsewhere, Controller.InstancePath), Is.EqualTo(new string?[] { null }), "the user token does not cross to an untrusted origin");
        });
    }

    [TestCase("abc\r\nX-Injected: 1")]
    [TestCase("abc def")]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("===")]
    [TestCase("tok\u00e9n")]
    [TestCase("a=b")]
    public void A_static_token_that_is_not_a_bearer_token_is_refused_without_repeating_it(string hostile)
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new StaticUserTokenSource(hostile));
        Assert.That(ex!.Message, Does.Contain("RFC 6750"));
        if (hostile.Trim().Length > 0)
        {
            Assert.That(ex.Message, Does.Not.Contain(hostile.Trim()));
        }
    }

    [Test]
    public void A_source_returning_a_hostile_token_fails_the_call_and_sends_nothing()
    {
        var controller = Controller.Start(TestServers);
        Controller.ServeInstance(controller);
        using var provider = Provider(controller, o => o.UserTokens = new FixedSource("t\r\nX-Injected: yes"));

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => provider.GetRequiredService<IAdministrationClient>().GetInstanceAsync(Controller.InstanceId));

        Assert.That(ex!.Message, Does.Not.Contain("X-Injected"));
        Assert.That(controller.Requests(Controller.InstancePath), Is.Empty);
    }

    [Test]
    public void The_static_source_never_shows_its_token()
    {
        Assert.That(new StaticUserTokenSource(UserToken).ToString(), Does.Not.Contain(UserToken));
    }

    [Test]
    public void With_the_builder_the_options_carry_the_user_token()
    {
        var controller = Controller.Start(TestServers);
        Controller.ServeInstance(controller);
        using var client = new DatabackerClientBuilder(o =>
        {
            Controller.Configure(o, controller, Key);
            o.UserTokens = new StaticUserTokenSource(UserToken);
        }).Build();

        Assert.DoesNotThrowAsync(() => client.Administration.GetInstanceAsync(Controller.InstanceId));
        Assert.That(Authorizations(controller, Controller.InstancePath), Is.EqualTo(new[] { $"Bearer {UserToken}" }));
    }

    private sealed class CountingSource : IUserTokenSource
    {
        private int _issued;

        public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult($"from-container-{Math.Max(1, Volatile.Read(ref _issued))}");

        public ValueTask<string?> RefreshAfterRejectionAsync(string rejectedToken, CancellationToken cancellationToken)
        {
            var next = Interlocked.Increment(ref _issued) + 1;
            return ValueTask.FromResult<string?>($"from-container-{next}");
        }
    }

    private sealed class FixedSource(string token) : IUserTokenSource
    {
        public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(token);
    }

    [Test]
    public void A_401_whose_token_refresh_fails_is_disposed_not_left_holding_its_connection()
    {
        var content = new TrackedContent();
        var primary = new RecordingHandler((_, _) => Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized) { Content = content }));
        var handler = new UserTokenHandler(new RefreshFails(), new Databacker.Api.Client.Routing.TrustedOriginRegistry([new Uri("https://controller.example/")])) { InnerHandler = primary };
        using var invoker = new HttpMessageInvoker(handler);

        Assert.ThrowsAsync<TimeoutException>(() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://controller.example/instances"), CancellationToken.None));

        Assert.That(content.Disposed, Is.True);
    }

    private sealed class TrackedContent() : ByteArrayContent([])
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private sealed class RefreshFails : IUserTokenSource
    {
        public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => new("user-token");

        public ValueTask<string?> RefreshAfterRejectionAsync(string rejectedToken, CancellationToken cancellationToken) =>
            ValueTask.FromException<string?>(new TimeoutException("identity provider did not answer"));
    }
}
