using System.Net;
using System.Text;
using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Routing;

[TestFixture]
public sealed class RoutingHandlerTests
{
    private Servers _servers = null!;

    [SetUp]
    public void SetUp() => _servers = new Servers();

    [TearDown]
    public void TearDown() => _servers.Dispose();

    private static void Redirect(WireMockServer server, string path, int status, string location, string? method = null)
    {
        var request = Request.Create().WithPath(path);
        request = method is null ? request : request.UsingMethod(method);
        server.Given(request).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Location", location));
    }

    private static void Ok(WireMockServer server, string path, string body = "{\"ok\":true}") =>
        server.Given(Request.Create().WithPath(path)).RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));

    private (HttpClient Client, RouteTable Routes) RoutingClient(params WireMockServer[] trusted)
    {
        var routes = new RouteTable();
        var registry = new TrustedOriginRegistry(trusted.Select(s => s.Uri()));
        return (TestPipelines.Client(routing: TestPipelines.Routing(registry, routes: routes)), routes);
    }

    [TestCase(301)]
    [TestCase(308)]
    public async Task Permanent_redirect_on_GET_is_followed_and_remembered_so_the_second_call_goes_straight_there(int status)
    {
        var a = _servers.Start();
        var b = _servers.Start();
        Redirect(a, "/config/abc", status, b.Uri("/config/abc").ToString());
        Ok(b, "/config/abc");
        var (client, routes) = RoutingClient(a, b);

        using (var first = await client.GetAsync(a.Uri("/config/abc")))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using (var second = await client.GetAsync(a.Uri("/config/abc")))
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.Multiple(() =>
        {
            Assert.That(a.Requests(), Has.Count.EqualTo(1), "the second call must not ask the old place again");
            Assert.That(b.Requests("/config/abc"), Has.Count.EqualTo(2));
            Assert.That(routes.Count, Is.GreaterThan(0));
        });
    }

    [TestCase(301)]
    [TestCase(308)]
    public async Task Redirect_301_and_308_on_POST_resend_same_method_headers_and_body_to_new_location(int status)
    {
        var a = _servers.Start();
        var b = _servers.Start();
        Redirect(a, "/report/abc", status, b.Uri("/report/abc").ToString());
        Ok(b, "/report/abc");
        var (client, _) = RoutingClient(a, b);
        const string json = "{\"event\":\"backup-finished\",\"seq\":42}";

        using var request = new HttpRequestMessage(HttpMethod.Post, a.Uri("/report/abc"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/vnd.databack.report.v1+json"),
        };
        request.Headers.Add("X-Custom", "kept");
        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var received = b.Requests("/report/abc").Single().RequestMessage;
        Assert.Multiple(() =>
        {
            Assert.That(received.Method, Is.EqualTo("POST"));
            Assert.That(received.Body, Is.EqualTo(json));
            Assert.That(received.Headers!["Content-Type"].Single(), Does.StartWith("application/vnd.databack.report.v1+json"));
            Assert.That(received.Headers!["X-Custom"].Single(), Is.EqualTo("kept"));
            Assert.That(a.Requests().Single().RequestMessage.Body, Is.EqualTo(json));
        });
    }

    [Test]
    public async Task Redirect_307_is_followed_with_the_body_but_not_remembered()
    {
        var a = _servers.Start();
        var b = _servers.Start();
        Redirect(a, "/report/abc", 307, b.Uri("/report/abc").ToString());
        Ok(b, "/report/abc");
        var (client, routes) = RoutingClient(a, b);

        for (var i = 0; i < 2; i++)
        {
            using var response = await client.PostAsync(a.Uri("/report/abc"), new StringContent("payload"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.Multiple(() =>
        {
            Assert.That(a.Requests(), Has.Count.EqualTo(2), "a temporary redirect must be asked again every time");
            Assert.That(b.Requests().Select(r => r.RequestMessage.Body), Is.EqualTo(new[] { "payload", "payload" }));
            Assert.That(routes.Count, Is.Zero);
        });
    }

    [Test]
    public async Task Relative_Location_is_resolved_against_the_request_uri()
    {
        var a = _servers.Start();
        Redirect(a, "/old/config/abc", 301, "../../new/config/abc");
        Ok(a, "/old/new/config/abc");
        Ok(a, "/new/config/abc", "{\"right\":true}");
        var (client, _) = RoutingClient(a);

        using var response = await client.GetAsync(a.Uri("/old/config/abc"));

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("{\"right\":true}"));
        Assert.That(a.Requests("/new/config/abc"), Has.Count.EqualTo(1));
    }

    [Test]
    public void Redirect_loop_is_detected()
    {
        var a = _servers.Start();
        Redirect(a, "/a", 307, "/b");
        Redirect(a, "/b", 307, "/a");
        var (client, _) = RoutingClient(a);

        var error = Assert.ThrowsAsync<RedirectException>(() => client.GetAsync(a.Uri("/a")));

        Assert.That(error!.Reason, Is.EqualTo(RedirectFailureReason.Loop));
        Assert.That(error.RedirectChain.Select(u => u.AbsolutePath), Is.EqualTo(new[] { "/a", "/b" }));
        Assert.That(a.Requests(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Five_redirects_are_followed()
    {
        var a = _servers.Start();
        for (var i = 0; i < 5; i++)
        {
            Redirect(a, $"/h{i}", 307, $"/h{i + 1}");
        }

        Ok(a, "/h5");
        var (client, _) = RoutingClient(a);

        using var response = await client.GetAsync(a.Uri("/h0"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void Six_redirects_fail_with_too_many_hops()
    {
        var a = _servers.Start();
        for (var i = 0; i < 6; i++)
        {
            Redirect(a, $"/h{i}", 307, $"/h{i + 1}");
        }

        Ok(a, "/h6");
        var (client, _) = RoutingClient(a);

        var error = Assert.ThrowsAsync<RedirectException>(() => client.GetAsync(a.Uri("/h0")));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Reason, Is.EqualTo(RedirectFailureReason.TooManyHops));
            Assert.That(a.Requests("/h6"), Is.Empty);
            Assert.That(a.Requests(), Has.Count.EqualTo(6));
            Assert.That(error.RedirectChain, Has.Count.EqualTo(6));
        });
    }

    [Test]
    public void Https_to_http_redirect_is_refused()
    {
        var primary = RecordingHandler.MovedTo("http://controller.example/config/abc");
        var registry = new TrustedOriginRegistry([new Uri("https://controller.example"), new Uri("http://controller.example")]);
        using var client = TestPipelines.Client(primary, routing: TestPipelines.Routing(registry));

        var error = Assert.ThrowsAsync<RedirectException>(() => client.GetAsync("https://controller.example/config/abc"));

        Assert.That(error!.Reason, Is.EqualTo(RedirectFailureReason.InsecureDowngrade));
        Assert.That(primary.Requests, Has.Count.EqualTo(1));
    }

    [TestCase(302)]
    [TestCase(303)]
    public void Found_and_see_other_are_typed_errors(int status)
    {
        var a = _servers.Start();
        Redirect(a, "/x", status, "/y");
        Ok(a, "/y");
        var (client, _) = RoutingClient(a);

        var error = Assert.ThrowsAsync<RedirectException>(() => client.GetAsync(a.Uri("/x")));

        Assert.That(error!.Reason, Is.EqualTo(RedirectFailureReason.UnsupportedStatus));
        Assert.That(error.StatusCode, Is.EqualTo((HttpStatusCode)status));
        Assert.That(a.Requests("/y"), Is.Empty);
    }

    [Test]
    public void Missing_Location_is_a_clear_error()
    {
        var a = _servers.Start();
        a.Given(Request.Create().WithPath("/x")).RespondWith(Response.Create().WithStatusCode(301));
        var (client, _) = RoutingClient(a);

        var error = Assert.ThrowsAsync<RedirectException>(() => client.GetAsync(a.Uri("/x")));

        Assert.That(error!.Reason, Is.EqualTo(RedirectFailureReason.MissingLocation));
    }

    [Test]
    public void Malformed_Location_is_a_clear_error()
    {
        var a = _servers.Start();
        Redirect(a, "/x", 301, "ftp://files.example/x");
        var (client, _) = RoutingClient(a);

        var error = Assert.ThrowsAsync<RedirectException>(() => client.GetAsync(a.Uri("/x")));

        Assert.That(error!.Reason, Is.EqualTo(RedirectFailureReason.MalformedLocation));
        Assert.That(error.Location, Is.EqualTo("ftp://files.example/x"));
    }

    [TestCase(200L * 1024 * 1024, TestName = "An endless problem body without a length is read only up to the problem limit")]
    [TestCase(100L, TestName = "A short problem body without a length is still read and parsed")]
    public void A_410_problem_body_without_a_length_is_read_only_up_to_the_limit(long bodyBytes)
    {
        const string problem = "{\"type\":\"about:blank\",\"title\":\"Gone\",\"status\":410}";
        var body = new CountingStream(problem, bodyBytes);
        var routing = TestPipelines.Routing(new TrustedOriginRegistry([new Uri("https://controller.test")]));
        using var client = TestPipelines.Client(primary: new AnswerHandler(() =>
        {
            var content = new StreamContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/problem+json");
            return new HttpResponseMessage(HttpStatusCode.Gone) { Content = content };
        }), routing: routing);

        var error = Assert.ThrowsAsync<EndpointNotImplementedException>(() => client.GetAsync("https://controller.test/engines/config/x"));

        Assert.Multiple(() =>
        {
            Assert.That(body.BytesRead, Is.LessThanOrEqualTo(1024 * 1024), "never the whole body");
            Assert.That(error!.Problem?.Title, bodyBytes > 64 * 1024 ? Is.Null : Is.EqualTo("Gone"));
        });
    }

    [TestCase("utf-16", TestName = "A UTF-16 problem body (by its charset) is read")]
    [TestCase("utf-8", TestName = "A UTF-8 problem body is read")]
    public void A_problem_body_is_decoded_by_its_charset(string charset)
    {
        const string problem = "{\"type\":\"about:blank\",\"title\":\"Gone \u00e9\",\"status\":410}";
        var routing = TestPipelines.Routing(new TrustedOriginRegistry([new Uri("https://controller.test")]));
        using var client = TestPipelines.Client(primary: new AnswerHandler(() => new HttpResponseMessage(HttpStatusCode.Gone)
        {
            Content = new StringContent(problem, System.Text.Encoding.GetEncoding(charset), "application/problem+json"),
        }), routing: routing);

        var error = Assert.ThrowsAsync<EndpointNotImplementedException>(() => client.GetAsync("https://controller.test/engines/config/x"));

        Assert.That(error!.Problem?.Title, Is.EqualTo("Gone \u00e9"));
    }

    [Test]
    public void Gone_410_throws_EndpointNotImplementedException_with_problem_details_and_redirect_chain()
    {
        var a = _servers.Start();
        var b = _servers.Start();
        Redirect(a, "/report/abc", 301, b.Uri("/report/abc").ToString());
        b.Given(Request.Create().WithPath("/report/abc")).RespondWith(Response.Create().WithStatusCode(410)
            .WithHeader("Content-Type", "application/problem+json")
            .WithBody("{\"type\":\"https://databack.io/problems/not-implemented\",\"title\":\"Not implemented here\",\"status\":410,\"detail\":\"reporting lives elsewhere\",\"instance\":\"/report/abc\",\"service\":\"reporting\"}"));
        var (client, _) = RoutingClient(a, b);
        using var request = new HttpRequestMessage(HttpMethod.Post, a.Uri("/report/abc")) { Content = new StringContent("{}") };
        request.Options.Set(DatabackerRequestOptions.OperationName, "PostReport");

        var error = Assert.ThrowsAsync<EndpointNotImplementedException>(() => client.SendAsync(request));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(error.RequestMethod, Is.EqualTo(HttpMethod.Post));
            Assert.That(error.RequestUri, Is.EqualTo(b.Uri("/report/abc")));
            Assert.That(error.Operation, Is.EqualTo("PostReport"));
            Assert.That(error.Message, Does.Contain("PostReport"));
            Assert.That(error.Problem!.Type, Is.EqualTo("https://databack.io/problems/not-implemented"));
            Assert.That(error.Problem.Title, Is.EqualTo("Not implemented here"));
            Assert.That(error.Problem.Status, Is.EqualTo(410));
            Assert.That(error.Problem.Detail, Is.EqualTo("reporting lives elsewhere"));
            Assert.That(error.Problem.Instance, Is.EqualTo("/report/abc"));
            Assert.That(error.Problem.Extensions["service"].GetString(), Is.EqualTo("reporting"));
            Assert.That(error.RedirectChain, Is.EqualTo(new[] { a.Uri("/report/abc"), b.Uri("/report/abc") }));
            Assert.That(error.ResponseHeaders["Content-Type"].Single(), Does.StartWith("application/problem+json"));
        });
    }

    [Test]
    public void NotFound_404_throws_ResourceNotFoundException_with_details()
    {
        var a = _servers.Start();
        a.Given(Request.Create().WithPath("/nothing")).RespondWith(Response.Create().WithStatusCode(404)
            .WithHeader("Content-Type", "application/problem+json").WithBody("{\"title\":\"No such route\",\"status\":404}"));
        var (client, _) = RoutingClient(a);

        var error = Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetAsync(a.Uri("/nothing")));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(error.RequestMethod, Is.EqualTo(HttpMethod.Get));
            Assert.That(error.Problem!.Title, Is.EqualTo("No such route"));
            Assert.That(error.RedirectChain, Is.EqualTo(new[] { a.Uri("/nothing") }));
        });
    }

    [Test]
    public void Cross_origin_redirect_to_untrusted_origin_fails_by_default_and_the_token_never_arrives()
    {
        var a = _servers.Start();
        var b = _servers.Start();
        TokenServer.AddTokenEndpoint(a);
        Redirect(a, "/config/abc", 301, b.Uri("/config/abc").ToString());
        Ok(b, "/config/abc");
        var registry = new TrustedOriginRegistry([a.Uri()]);
        using var tokens = TestPipelines.Tokens(a.Uri(), new FakeAssertions());
        using var client = TestPipelines.Client(routing: TestPipelines.Routing(registry), auth: new AccessTokenHandler(tokens, registry));

        var error = Assert.ThrowsAsync<RedirectException>(() => client.GetAsync(a.Uri("/config/abc")));

        Assert.That(error!.Reason, Is.EqualTo(RedirectFailureReason.UntrustedOrigin));
        Assert.That(a.Requests("/config/abc").Single().Header("Authorization"), Is.EqualTo("Bearer tok-1"));
        Assert.That(b.Requests(), Is.Empty);
    }

    [Test]
    public async Task Cross_origin_redirect_when_allowed_is_followed_without_token_or_credential_headers()
    {
        var a = _servers.Start();
        var b = _servers.Start();
        TokenServer.AddTokenEndpoint(a);
        Redirect(a, "/config/abc", 301, b.Uri("/config/abc").ToString());
        Ok(b, "/config/abc");
        var registry = new TrustedOriginRegistry([a.Uri()]);
        var options = new RoutingOptions { CrossOriginRedirects = CrossOriginRedirectPolicy.FollowWithoutCredentials };
        options.CredentialHeaders.Add("X-Api-Key");
        using var tokens = TestPipelines.Tokens(a.Uri(), new FakeAssertions());
        using var client = TestPipelines.Client(routing: TestPipelines.Routing(registry, options), auth: new AccessTokenHandler(tokens, registry));
        using var request = new HttpRequestMessage(HttpMethod.Get, a.Uri("/config/abc"));
        request.Headers.Add("X-Api-Key", "secret");
        request.Headers.Add("X-Trace", "kept");

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var atA = a.Requests("/config/abc").Single();
        var atB = b.Requests("/config/abc").Single();
        Assert.Multiple(() =>
        {
            Assert.That(atA.Header("Authorization"), Is.EqualTo("Bearer tok-1"));
            Assert.That(atA.Header("X-Api-Key"), Is.EqualTo("secret"));
            Assert.That(atB.Header("Authorization"), Is.Null);
            Assert.That(atB.Header("X-Api-Key"), Is.Null);
            Assert.That(atB.Header("X-Trace"), Is.EqualTo("kept"));
        });
    }

    [Test]
    public async Task An_untrusted_hop_cannot_hand_the_token_back_to_a_trusted_origin_of_its_choice()
    {
        // a (trusted) → 301 → x (untrusted, followed without credentials) → 301 → b (trusted) at a path x picked.
        var a = _servers.Start();
        var x = _servers.Start();
        var b = _servers.Start();
        TokenServer.AddTokenEndpoint(a);
        Redirect(a, "/config/abc", 301, x.Uri("/config/abc").ToString());
        Redirect(x, "/config/abc", 301, b.Uri("/x-picked").ToString());
        Ok(b, "/x-picked");
        var registry = new TrustedOriginRegistry([a.Uri(), b.Uri()]);
        var options = new RoutingOptions { CrossOriginRedirects = CrossOriginRedirectPolicy.FollowWithoutCredentials };
        var routing = TestPipelines.Routing(registry, options);
        using var tokens = TestPipelines.Tokens(a.Uri(), new FakeAssertions());
        using var client = TestPipelines.Client(routing: routing, auth: new AccessTokenHandler(tokens, registry));

        (await client.GetAsync(a.Uri("/config/abc"))).Dispose();
        (await client.GetAsync(a.Uri("/config/abc"))).Dispose(); // again, with whatever was remembered

        Assert.Multiple(() =>
        {
            Assert.That(b.Requests("/x-picked").Select(r => r.Header("Authorization")), Has.All.Null, "the chain went through x: no credentials after it");
            Assert.That(x.Requests().Select(r => r.Header("Authorization")), Has.All.Null);
            Assert.That(routing.Routes.TryResolve(x.Uri("/config/abc"), out _), Is.False, "a move declared by an untrusted origin is not remembered");
        });
    }

    [Test]
    public async Task Cross_origin_redirect_to_an_origin_trusted_at_run_time_carries_the_token()
    {
        var a = _servers.Start();
        var b = _servers.Start();
        TokenServer.AddTokenEndpoint(a);
        Redirect(a, "/report/abc", 301, b.Uri("/report/abc").ToString());
        Ok(b, "/report/abc");
        var registry = new TrustedOriginRegistry([a.Uri()]);
        using var tokens = TestPipelines.Tokens(a.Uri(), new FakeAssertions());
        using var client = TestPipelines.Client(routing: TestPipelines.Routing(registry), auth: new AccessTokenHandler(tokens, registry));

        Assert.That(registry.Add(b.Uri("/anything")), Is.True);
        using var response = await client.GetAsync(a.Uri("/report/abc"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(b.Requests().Single().Header("Authorization"), Is.EqualTo("Bearer tok-1"));
    }

    [Test]
    public async Task Streamed_body_with_301_is_either_replayed_whole_or_fails_clearly_never_truncated()
    {
        var a = _servers.Start();
        var b = _servers.Start();
        Redirect(a, "/logs/abc", 301, b.Uri("/logs/abc").ToString());
        Ok(b, "/logs/abc");
        var (client, _) = RoutingClient(a, b);
        var payload = new string('x', 50_000);
        using var request = new HttpRequestMessage(HttpMethod.Post, a.Uri("/logs/abc"))
        {
            Content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(payload))),
        };

        try
        {
            using var response = await client.SendAsync(request);
            Assert.That(b.Requests().Single().RequestMessage.Body, Is.EqualTo(payload));
        }
        catch (RequestNotReplayableException error)
        {
            Assert.That(error.Message, Does.Contain("cannot be replayed"));
            Assert.That(b.Requests(), Is.Empty, "nothing, rather than a truncated or empty body, may reach the new place");
        }

        Assert.That(a.Requests().Single().Header("Expect"), Is.EqualTo("100-continue"));
    }

    [Test]
    public async Task Streamed_body_not_yet_sent_when_the_301_arrives_goes_whole_to_the_new_location()
    {
        var primary = new RecordingHandler((request, n) =>
        {
            if (n == 1)
            {
                // Like a server answering before "100 Continue": the body was never read.
                var moved = new HttpResponseMessage(HttpStatusCode.MovedPermanently);
                moved.Headers.Location = new Uri("https://reporting.example/logs/abc");
                return Task.FromResult(moved);
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        })
        { ReadBodies = false };
        var bodies = new List<byte[]?>();
        var registry = new TrustedOriginRegistry([new Uri("https://controller.example"), new Uri("https://reporting.example")]);
        using var client = TestPipelines.Client(new ReadOnlySecondRequestBody(primary, bodies), routing: TestPipelines.Routing(registry));
        var payload = Encoding.UTF8.GetBytes("log line 1\nlog line 2\n");

        using var response = await client.PostAsync("https://controller.example/logs/abc", new StreamContent(new NonSeekableStream(payload)));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(primary.Requests.Select(r => r.Uri.Host), Is.EqualTo(new[] { "controller.example", "reporting.example" }));
        Assert.That(bodies.Single(), Is.EqualTo(payload));
    }

    [Test]
    public void Streamed_body_already_sent_when_the_301_arrives_fails_clearly()
    {
        var primary = RecordingHandler.MovedTo("https://reporting.example/logs/abc");
        var registry = new TrustedOriginRegistry([new Uri("https://controller.example"), new Uri("https://reporting.example")]);
        using var client = TestPipelines.Client(primary, routing: TestPipelines.Routing(registry));

        Assert.ThrowsAsync<RequestNotReplayableException>(() =>
            client.PostAsync("https://controller.example/logs/abc", new StreamContent(new NonSeekableStream([1, 2, 3]))));
        Assert.That(primary.Requests, Has.Count.EqualTo(1));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_hop_where_the_token_is_withheld_never_carries_the_token_of_the_hop_before(bool withResilience)
    {
        // Loopback over plain http gets the token; a trusted but non-loopback origin over plain http must not, and with
        // the resilience handler above, the first hop is sent as the attempt's own message (no clone): the token the
        // first hop carried must not ride along to the second.
        var tokenServer = _servers.Start();
        TokenServer.AddTokenEndpoint(tokenServer);
        var primary = new RecordingHandler((request, n) =>
        {
            if (n == 1)
            {
                var moved = new HttpResponseMessage(HttpStatusCode.TemporaryRedirect);
                moved.Headers.Location = new Uri("http://controller.example/config/abc");
                return Task.FromResult(moved);
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        var registry = new TrustedOriginRegistry([new Uri("http://127.0.0.1:9"), new Uri("http://controller.example")]);
        using var tokens = TestPipelines.Tokens(tokenServer.Uri(), new FakeAssertions());
        using var client = TestPipelines.Client(
            primary,
            routing: TestPipelines.Routing(registry),
            auth: new AccessTokenHandler(tokens, registry),
            resilience: withResilience ? new ResilienceHandler(TestPipelines.FastResilience()) : null);

        using var response = await client.GetAsync("http://127.0.0.1:9/config/abc");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(primary.Requests.Select(r => (r.Uri.Host, r.Authorization)), Is.EqualTo(new[]
        {
            ("127.0.0.1", (string?)"Bearer tok-1"),
            ("controller.example", null),
        }));
    }

    [Test]
    public async Task A_retry_after_a_redirected_attempt_starts_again_from_the_callers_request()
    {
        // Attempt 1: 307 to a second trusted origin, which answers 503; attempt 2 goes to the requested URI again, with
        // the token but without anything the first attempt's hops added.
        var tokenServer = _servers.Start();
        TokenServer.AddTokenEndpoint(tokenServer);
        var primary = new RecordingHandler((request, n) => n switch
        {
            1 => Task.FromResult(new HttpResponseMessage(HttpStatusCode.TemporaryRedirect) { Headers = { Location = new Uri("https://mirror.example/config/abc") } }),
            2 => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)),
            _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)),
        });
        var registry = new TrustedOriginRegistry([new Uri("https://controller.example"), new Uri("https://mirror.example")]);
        using var tokens = TestPipelines.Tokens(tokenServer.Uri(), new FakeAssertions());
        using var client = TestPipelines.Client(
            primary,
            routing: TestPipelines.Routing(registry),
            auth: new AccessTokenHandler(tokens, registry),
            resilience: new ResilienceHandler(TestPipelines.FastResilience()));

        using var response = await client.GetAsync("https://controller.example/config/abc");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(primary.Requests.Select(r => (r.Uri.ToString(), r.Authorization)), Is.EqualTo(new[]
        {
            ("https://controller.example/config/abc", (string?)"Bearer tok-1"),
            ("https://mirror.example/config/abc", "Bearer tok-1"),
            ("https://controller.example/config/abc", "Bearer tok-1"),
        }));
    }

    [Test]
    public void Primary_handler_that_follows_redirects_itself_is_refused_at_start_up()
    {
        Assert.Throws<InvalidOperationException>(() => DatabackerPipeline.Compose(new SocketsHttpHandler { AllowAutoRedirect = true }));
        Assert.Throws<InvalidOperationException>(() => DatabackerPipeline.EnsureAutomaticRedirectsDisabled(new HttpClientHandler()));
        Assert.DoesNotThrow(() => DatabackerPipeline.EnsureAutomaticRedirectsDisabled(DatabackerPipeline.CreatePrimaryHandler()));
    }

    [Test]
    public void Routing_options_out_of_range_are_rejected()
    {
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new RoutingOptions { MaxRedirects = -1 }.Validate());
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new RoutingOptions { CredentialHeaders = null! }.Validate());
    }

    /// <summary>Reads the body only of the second request, like a server that answered the first before 100 Continue.</summary>
    private sealed class ReadOnlySecondRequestBody(HttpMessageHandler inner, List<byte[]?> bodies) : DelegatingHandler(inner)
    {
        private int _count;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _count) == 2 && request.Content is not null)
            {
                bodies.Add(await request.Content.ReadAsByteArrayAsync(cancellationToken));
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
