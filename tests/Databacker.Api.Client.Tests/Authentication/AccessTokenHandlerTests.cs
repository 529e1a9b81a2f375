using System.Net;
using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Databacker.Api.Client.Tests.Authentication;

[TestFixture]
public sealed class AccessTokenHandlerTests
{
    private Servers _servers = null!;

    [SetUp]
    public void SetUp() => _servers = new Servers();

    [TearDown]
    public void TearDown() => _servers.Dispose();

    private static void OkApi(WireMockServer server) =>
        server.Given(Request.Create().WithPath("/config/abc")).RespondWith(Response.Create().WithStatusCode(200).WithBody("{}"));

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.That(condition(), Is.True, what);
    }

    [Test]
    public async Task Sixty_four_parallel_calls_cause_exactly_one_token_request()
    {
        var server = _servers.Start();
        TokenServer.AddTokenEndpoint(server, delay: TimeSpan.FromMilliseconds(300));
        OkApi(server);
        var registry = new TrustedOriginRegistry([server.Uri()]);
        var assertions = new FakeAssertions();
        using var tokens = TestPipelines.Tokens(server.Uri(), assertions);
        using var client = TestPipelines.Client(auth: new AccessTokenHandler(tokens, registry));

        var responses = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => client.GetAsync(server.Uri("/config/abc"))));

        Assert.Multiple(() =>
        {
            Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(TokenServer.TokenRequests(server), Is.EqualTo(1));
            Assert.That(server.Requests("/config/abc").Select(e => e.Header("Authorization")), Is.All.EqualTo("Bearer tok-1"));
            Assert.That(assertions.Audiences, Is.EqualTo(new[] { server.Url127() }), "the assertion audience is the issuer, not the token endpoint");
        });
        var form = (server.Requests("/token").Single().RequestMessage.Body ?? string.Empty).Split('&')
            .Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
        Assert.Multiple(() =>
        {
            Assert.That(form["grant_type"], Is.EqualTo("client_credentials"));
            Assert.That(form["client_assertion_type"], Is.EqualTo("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
            Assert.That(form["client_assertion"], Is.EqualTo("assertion-1"));
            Assert.That(form["client_id"], Is.EqualTo("instance-1"));
        });
    }

    [Test]
    public async Task Concurrent_401s_for_the_same_token_cause_one_refresh_and_each_call_is_resent_once()
    {
        var server = _servers.Start();
        TokenServer.AddTokenEndpoint(server, delay: TimeSpan.FromMilliseconds(100));
        server.Given(Request.Create().WithPath("/config/abc").WithHeader("Authorization", "Bearer tok-2"))
            .AtPriority(1).RespondWith(Response.Create().WithStatusCode(200));
        server.Given(Request.Create().WithPath("/config/abc")).AtPriority(2).RespondWith(Response.Create().WithStatusCode(401));
        var registry = new TrustedOriginRegistry([server.Uri()]);
        using var tokens = TestPipelines.Tokens(server.Uri(), new FakeAssertions());
        using var client = TestPipelines.Client(auth: new AccessTokenHandler(tokens, registry));
        var first = await tokens.GetTokenAsync(CancellationToken.None);
        Assert.That(first.Value, Is.EqualTo("tok-1"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.GetAsync(server.Uri("/config/abc"))));

        Assert.Multiple(() =>
        {
            Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(TokenServer.TokenRequests(server), Is.EqualTo(2), "one initial token, one refresh");
            Assert.That(server.Requests("/config/abc"), Has.Count.EqualTo(200));
        });
    }

    [Test]
    public async Task A_late_401_for_an_already_replaced_token_reuses_the_new_token_without_fetching()
    {
        var server = _servers.Start();
        TokenServer.AddTokenEndpoint(server);
        using var tokens = TestPipelines.Tokens(server.Uri(), new FakeAssertions());
        var first = await tokens.GetTokenAsync(CancellationToken.None);

        var second = await tokens.RefreshAfterRejectionAsync(first, CancellationToken.None);
        var late = await tokens.RefreshAfterRejectionAsync(first, CancellationToken.None);

        Assert.That(second.Value, Is.EqualTo("tok-2"));
        Assert.That(late, Is.SameAs(second));
        Assert.That(TokenServer.TokenRequests(server), Is.EqualTo(2));
    }

    [Test]
    public async Task A_401_after_the_refresh_is_returned_without_looping()
    {
        var server = _servers.Start();
        TokenServer.AddTokenEndpoint(server);
        server.Given(Request.Create().WithPath("/config/abc")).RespondWith(Response.Create().WithStatusCode(401));
        var registry = new TrustedOriginRegistry([server.Uri()]);
        using var tokens = TestPipelines.Tokens(server.Uri(), new FakeAssertions());
        using var client = TestPipelines.Client(auth: new AccessTokenHandler(tokens, registry));

        using var response = await client.GetAsync(server.Uri("/config/abc"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(server.Requests("/config/abc").Select(e => e.Header("Authorization")), Is.EqualTo(new[] { "Bearer tok-1", "Bearer tok-2" }));
        Assert.That(TokenServer.TokenRequests(server), Is.EqualTo(2));
    }

    [Test]
    public async Task A_401_to_a_streamed_body_is_returned_and_the_next_call_does_not_reuse_the_rejected_token()
    {
        var server = _servers.Start();
        TokenServer.AddTokenEndpoint(server);
        server.Given(Request.Create().WithPath("/log").UsingPost()).InScenario("revoked").WillSetStateTo("after")
            .RespondWith(Response.Create().WithStatusCode(401));
        server.Given(Request.Create().WithPath("/log").UsingPost()).InScenario("revoked").WhenStateIs("after")
            .RespondWith(Response.Create().WithStatusCode(201));
        var registry = new TrustedOriginRegistry([server.Uri()]);
        using var tokens = TestPipelines.Tokens(server.Uri(), new FakeAssertions());
        using var client = TestPipelines.Client(auth: new AccessTokenHandler(tokens, registry));

        using (var rejected = await client.PostAsync(server.Uri("/log"), new StreamContent(new NonSeekableStream("{}\n"u8.ToArray()))))
        {
            Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a streamed body cannot be sent again");
        }

        using var next = await client.PostAsync(server.Uri("/log"), new StreamContent(new NonSeekableStream("{}\n"u8.ToArray())));

        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(server.Requests("/log").Select(e => e.Header("Authorization")), Is.EqualTo(new[] { "Bearer tok-1", "Bearer tok-2" }));
    }

    [Test]
    public async Task Token_is_refreshed_ahead_at_80_percent_of_its_lifetime_while_the_old_one_is_still_served()
    {
        var server = _servers.Start();
        TokenServer.AddTokenEndpoint(server, expiresIn: 100);
        OkApi(server);
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var registry = new TrustedOriginRegistry([server.Uri()]);
        using var tokens = TestPipelines.Tokens(server.Uri(), new FakeAssertions(), time);
        using var client = TestPipelines.Client(auth: new AccessTokenHandler(tokens, registry));

        (await client.GetAsync(server.Uri("/config/abc"))).Dispose();
        time.Advance(TimeSpan.FromSeconds(79));
        (await client.GetAsync(server.Uri("/config/abc"))).Dispose();
        Assert.That(TokenServer.TokenRequests(server), Is.EqualTo(1), "no refresh before 80 %");

        time.Advance(TimeSpan.FromSeconds(2));
        (await client.GetAsync(server.Uri("/config/abc"))).Dispose();
        await WaitUntil(() => TokenServer.TokenRequests(server) == 2, "a background refresh after 80 %");
        await WaitUntil(() => tokens.GetTokenAsync(CancellationToken.None).Result.Value == "tok-2", "the new token is cached");
        (await client.GetAsync(server.Uri("/config/abc"))).Dispose();

        Assert.That(server.Requests("/config/abc").Select(e => e.Header("Authorization")),
            Is.EqualTo(new[] { "Bearer tok-1", "Bearer tok-1", "Bearer tok-1", "Bearer tok-2" }));
    }

    [Test]
    public async Task A_failed_background_refresh_keeps_serving_the_old_token_while_it_is_valid()
    {
        var server = _servers.Start();
        TokenServer.AddMetadata(server);
        var calls = 0;
        server.Given(Request.Create().WithPath("/token").UsingPost()).RespondWith(Response.Create().WithCallback(_ =>
            Interlocked.Increment(ref calls) == 1
                ? new ResponseMessage
                {
                    StatusCode = 200,
                    Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
                    BodyData = new BodyData { BodyAsString = "{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"expires_in\":100}", DetectedBodyType = BodyType.String },
                }
                : new ResponseMessage { StatusCode = 500 }));
        OkApi(server);
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var registry = new TrustedOriginRegistry([server.Uri()]);
        using var tokens = TestPipelines.Tokens(server.Uri(), new FakeAssertions(), time);
        using var client = TestPipelines.Client(auth: new AccessTokenHandler(tokens, registry));

        (await client.GetAsync(server.Uri("/config/abc"))).Dispose();
        time.Advance(TimeSpan.FromSeconds(85));
        (await client.GetAsync(server.Uri("/config/abc"))).Dispose();
        await WaitUntil(() => TokenServer.TokenRequests(server) == 2, "a background refresh was tried");
        await Task.Delay(100);
        (await client.GetAsync(server.Uri("/config/abc"))).Dispose();

        Assert.That(server.Requests("/config/abc").Select(e => e.Header("Authorization")), Is.All.EqualTo("Bearer tok-1"));
        Assert.That(TokenServer.TokenRequests(server), Is.EqualTo(2), "a failed refresh is not retried on every call");

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.ThrowsAsync<TokenRequestException>(() => client.GetAsync(server.Uri("/config/abc")), "an expired token is never served");
    }

    [Test]
    public async Task One_callers_cancellation_does_not_fail_the_others_waiting_for_the_same_fetch()
    {
        var server = _servers.Start();
        TokenServer.AddTokenEndpoint(server, delay: TimeSpan.FromMilliseconds(400));
        using var tokens = TestPipelines.Tokens(server.Uri(), new FakeAssertions());
        using var cancel = new CancellationTokenSource();

        var cancelled = tokens.GetTokenAsync(cancel.Token);
        var patient = tokens.GetTokenAsync(CancellationToken.None);
        await cancel.CancelAsync();

        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        Assert.That((await patient).Value, Is.EqualTo("tok-1"));
        Assert.That(TokenServer.TokenRequests(server), Is.EqualTo(1));
    }

    [Test]
    public async Task No_token_goes_to_an_untrusted_origin()
    {
        var trusted = _servers.Start();
        var other = _servers.Start();
        TokenServer.AddTokenEndpoint(trusted);
        OkApi(other);
        var registry = new TrustedOriginRegistry([trusted.Uri()]);
        using var tokens = TestPipelines.Tokens(trusted.Uri(), new FakeAssertions());
        using var client = TestPipelines.Client(auth: new AccessTokenHandler(tokens, registry));

        using var response = await client.GetAsync(other.Uri("/config/abc"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(other.Requests().Single().Header("Authorization"), Is.Null);
        Assert.That(TokenServer.TokenRequests(trusted), Is.Zero);
    }

    [Test]
    public async Task No_token_goes_over_plain_http_to_a_non_loopback_host_even_if_trusted()
    {
        var server = _servers.Start();
        TokenServer.AddTokenEndpoint(server);
        var primary = RecordingHandler.Always(HttpStatusCode.OK);
        var registry = new TrustedOriginRegistry([new Uri("http://controller.example"), new Uri("https://controller.example")]);
        using var tokens = TestPipelines.Tokens(server.Uri(), new FakeAssertions());
        using var client = TestPipelines.Client(primary, auth: new AccessTokenHandler(tokens, registry));

        (await client.GetAsync("http://controller.example/config/abc")).Dispose();
        (await client.GetAsync("https://controller.example/config/abc")).Dispose();

        Assert.That(primary.Requests.Select(r => r.Authorization), Is.EqualTo(new[] { null, "Bearer tok-1" }));
    }

    [Test]
    public async Task Token_endpoint_429_with_Retry_After_is_waited_out()
    {
        var server = _servers.Start();
        TokenServer.AddMetadata(server);
        server.Given(Request.Create().WithPath("/token").UsingPost()).InScenario("busy").WillSetStateTo("ready")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "7"));
        server.Given(Request.Create().WithPath("/token").UsingPost()).InScenario("busy").WhenStateIs("ready")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("{\"access_token\":\"tok-after-wait\",\"token_type\":\"Bearer\",\"expires_in\":600}"));
        var time = new FakeTimeProvider();
        var client = new TokenClient(new HttpClient(TestPipelines.Primary()), TestPipelines.TokenOptionsFor(server.Uri()), new FakeAssertions(), time);

        var pending = client.RequestTokenAsync(CancellationToken.None);
        await WaitUntil(() => TokenServer.TokenRequests(server) == 1, "the first token request");
        await Task.Delay(50);
        time.Advance(TimeSpan.FromSeconds(6));
        await Task.Delay(50);
        Assert.That(TokenServer.TokenRequests(server), Is.EqualTo(1), "not before Retry-After");
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.That((await pending).Value, Is.EqualTo("tok-after-wait"));
        Assert.That(TokenServer.TokenRequests(server), Is.EqualTo(2));
    }

    [Test]
    public async Task A_token_fetch_that_runs_out_of_time_is_a_typed_token_error_for_every_caller_that_waited()
    {
        var time = new FakeTimeProvider();
        var options = TestPipelines.TokenOptionsFor(new Uri("https://controller.example/"));
        options.FetchTimeout = TimeSpan.FromSeconds(5);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var tokens = new AccessTokenProvider(new HangingTokenClient(started), options, time);

        var first = tokens.GetTokenAsync(CancellationToken.None);
        var second = tokens.GetTokenAsync(CancellationToken.None); // joins the same fetch
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(6));

        var errors = new[] { await CatchAsync(first), await CatchAsync(second) };
        Assert.That(errors, Has.All.InstanceOf<TokenRequestException>().And.All.Message.Contains("FetchTimeout"));
    }

    private static async Task<Exception?> CatchAsync(Task task)
    {
        try
        {
            await task.WaitAsync(TimeSpan.FromSeconds(30));
            return null;
        }
        catch (Exception error)
        {
            return error;
        }
    }

    private sealed class HangingTokenClient(TaskCompletionSource started) : IAccessTokenClient
    {
        public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("not reached");
        }
    }

    [TestCase("1e300", 24 * 60 * 60)]
    [TestCase("99999999999999", 24 * 60 * 60)]
    [TestCase("0.000001", 1)]
    [TestCase("600", 600)]
    public async Task An_absurd_expires_in_is_kept_within_reason_instead_of_failing_the_call(string expiresIn, int expectedSeconds)
    {
        var server = _servers.Start();
        TokenServer.AddMetadata(server);
        server.Given(Request.Create().WithPath("/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("{\"access_token\":\"tok\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));
        var client = new TokenClient(new HttpClient(TestPipelines.Primary()), TestPipelines.TokenOptionsFor(server.Uri()), new FakeAssertions(), time);

        var token = await client.RequestTokenAsync(CancellationToken.None);

        Assert.That(token.ExpiresAt - time.GetUtcNow(), Is.EqualTo(TimeSpan.FromSeconds(expectedSeconds)));
    }

    [Test]
    public void Token_endpoint_503_with_a_Retry_After_beyond_the_maximum_fails_with_the_delay()
    {
        var server = _servers.Start();
        TokenServer.AddMetadata(server);
        server.Given(Request.Create().WithPath("/token").UsingPost()).RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", "3600"));
        var client = new TokenClient(new HttpClient(TestPipelines.Primary()), TestPipelines.TokenOptionsFor(server.Uri()), new FakeAssertions());

        var error = Assert.ThrowsAsync<TokenRequestException>(() => client.RequestTokenAsync(CancellationToken.None));

        Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(error.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [Test]
    public void Token_endpoint_error_json_becomes_a_typed_error()
    {
        var server = _servers.Start();
        TokenServer.AddMetadata(server);
        server.Given(Request.Create().WithPath("/token").UsingPost()).RespondWith(Response.Create().WithStatusCode(400)
            .WithHeader("Content-Type", "application/json")
            .WithBody("{\"error\":\"invalid_client\",\"error_description\":\"unknown key\",\"error_uri\":\"https://docs.example/errors\"}"));
        var client = new TokenClient(new HttpClient(TestPipelines.Primary()), TestPipelines.TokenOptionsFor(server.Uri()), new FakeAssertions());

        var error = Assert.ThrowsAsync<TokenRequestException>(() => client.RequestTokenAsync(CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Error, Is.EqualTo("invalid_client"));
            Assert.That(error.ErrorDescription, Is.EqualTo("unknown key"));
            Assert.That(error.ErrorUri, Is.EqualTo("https://docs.example/errors"));
            Assert.That(error.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    [Test]
    public void An_endless_token_endpoint_error_is_read_only_up_to_its_limit()
    {
        var body = new CountingStream("{\"error\":\"invalid_client\"}", 200L * 1024 * 1024);
        var handler = new AnswerHandler(request => request.RequestUri!.AbsolutePath.EndsWith("/token", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StreamContent(body) { Headers = { ContentType = new("application/json") } } }
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"issuer\":\"https://controller.test\",\"token_endpoint\":\"https://controller.test/token\"}") });
        var client = new TokenClient(new HttpClient(handler), TestPipelines.TokenOptionsFor(new Uri("https://controller.test")), new FakeAssertions());

        var error = Assert.ThrowsAsync<TokenRequestException>(() => client.RequestTokenAsync(CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body.BytesRead, Is.LessThanOrEqualTo(1024 * 1024), "never the whole body");
        });
    }

    [Test]
    public async Task Metadata_moved_permanently_to_another_endpoint_makes_that_endpoint_the_issuer()
    {
        // The controller an agent is given serves the Auth tag elsewhere (the spec's partial endpoint).
        var controller = _servers.Start();
        var auth = _servers.Start();
        controller.Given(Request.Create().WithPath("/.well-known/oauth-authorization-server").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(301).WithHeader("Location", auth.Url127() + "/.well-known/oauth-authorization-server"));
        TokenServer.AddTokenEndpoint(auth);
        var assertions = new FakeAssertions();
        var client = new TokenClient(new HttpClient(TestPipelines.Primary()), TestPipelines.TokenOptionsFor(controller.Uri()), assertions);

        var token = await client.RequestTokenAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(token.Value, Is.EqualTo("tok-1"));
            Assert.That(assertions.Audiences, Is.EqualTo(new[] { auth.Url127() }), "the assertion is made out to the issuer it was sent to");
            Assert.That(controller.Requests("/token"), Is.Empty);
        });
    }

    [TestCase("http://auth.example/.well-known/oauth-authorization-server", TestName = "A move of the metadata to plain http off loopback is refused")]
    [TestCase("/somewhere/else", TestName = "A move of the metadata to something that is not metadata is refused")]
    [TestCase("/.well-known/oauth-authorization-server?x=1", TestName = "A move of the metadata to a URL with a query is refused")]
    public void A_move_of_the_metadata_to_an_unusable_place_is_refused_before_any_assertion_is_signed(string location)
    {
        var controller = _servers.Start();
        controller.Given(Request.Create().WithPath("/.well-known/oauth-authorization-server").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(301).WithHeader("Location", location));
        var assertions = new FakeAssertions();
        var client = new TokenClient(new HttpClient(TestPipelines.Primary()), TestPipelines.TokenOptionsFor(controller.Uri()), assertions);

        var error = Assert.ThrowsAsync<TokenRequestException>(() => client.RequestTokenAsync(CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("moved to"));
        Assert.That(assertions.Count, Is.Zero);
    }

    [Test]
    public void Metadata_that_keeps_moving_is_given_up()
    {
        var controller = _servers.Start();
        controller.Given(Request.Create().WithPath("/.well-known/oauth-authorization-server").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(308).WithHeader("Location", "/.well-known/oauth-authorization-server"));
        var client = new TokenClient(new HttpClient(TestPipelines.Primary()), TestPipelines.TokenOptionsFor(controller.Uri()), new FakeAssertions());

        var error = Assert.ThrowsAsync<TokenRequestException>(() => client.RequestTokenAsync(CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("answered 308"));
        Assert.That(controller.Requests("/.well-known/oauth-authorization-server"), Has.Count.EqualTo(6), "the first request and five moves");
    }

    [Test]
    public void Metadata_naming_another_issuer_is_rejected_before_any_assertion_is_signed()
    {
        var server = _servers.Start();
        server.Given(Request.Create().WithPath("/.well-known/oauth-authorization-server")).RespondWith(Response.Create().WithStatusCode(200)
            .WithBody("{\"issuer\":\"https://evil.example\",\"token_endpoint\":\"https://evil.example/token\"}"));
        var assertions = new FakeAssertions();
        var client = new TokenClient(new HttpClient(TestPipelines.Primary()), TestPipelines.TokenOptionsFor(server.Uri()), assertions);

        Assert.ThrowsAsync<TokenRequestException>(() => client.RequestTokenAsync(CancellationToken.None));
        Assert.That(assertions.Count, Is.Zero);
    }

    [Test]
    public void Token_options_out_of_range_are_rejected()
    {
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new TokenOptions().Validate());
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new TokenOptions { Issuer = new Uri("http://controller.example") }.Validate());
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new TokenOptions { Issuer = new Uri("https://controller.example"), RefreshAheadRatio = 1.5 }.Validate());
        Assert.DoesNotThrow(() => new TokenOptions { Issuer = new Uri("https://controller.example") }.Validate());
    }
}
