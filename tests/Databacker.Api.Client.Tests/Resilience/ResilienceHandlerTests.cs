using System.Globalization;
using System.Net;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Resilience;

[TestFixture]
public sealed class ResilienceHandlerTests
{
    private Servers _servers = null!;

    [SetUp]
    public void SetUp() => _servers = new Servers();

    [TearDown]
    public void TearDown() => _servers.Dispose();

    /// <summary>Answers the given statuses in order, then 200.</summary>
    private static void Sequence(WireMockServer server, string path, params (int Status, string? RetryAfter)[] statuses)
    {
        var calls = 0;
        server.Given(Request.Create().WithPath(path)).RespondWith(Response.Create().WithCallback(_ =>
        {
            var n = Interlocked.Increment(ref calls);
            if (n > statuses.Length)
            {
                return new ResponseMessage { StatusCode = 200 };
            }

            var message = new ResponseMessage { StatusCode = statuses[n - 1].Status };
            if (statuses[n - 1].RetryAfter is { } retryAfter)
            {
                message.AddHeader("Retry-After", retryAfter);
            }

            return message;
        }));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }

    [TestCase(408)]
    [TestCase(429)]
    [TestCase(500)]
    [TestCase(502)]
    [TestCase(503)]
    [TestCase(504)]
    public async Task GET_is_retried_on_transient_status_until_it_succeeds(int status)
    {
        var server = _servers.Start();
        Sequence(server, "/config/abc", (status, null), (status, null));
        using var client = TestPipelines.Client(resilience: new ResilienceHandler(TestPipelines.FastResilience()));

        using var response = await client.GetAsync(server.Uri("/config/abc"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(server.Requests(), Has.Count.EqualTo(3));
    }

    [TestCase(400)]
    [TestCase(401)]
    [TestCase(403)]
    [TestCase(404)]
    [TestCase(406)]
    [TestCase(410)]
    [TestCase(413)]
    public async Task Client_errors_are_never_retried(int status)
    {
        var server = _servers.Start();
        Sequence(server, "/config/abc", (status, null));
        using var client = TestPipelines.Client(resilience: new ResilienceHandler(TestPipelines.FastResilience()));

        using var response = await client.GetAsync(server.Uri("/config/abc"));

        Assert.That((int)response.StatusCode, Is.EqualTo(status));
        Assert.That(server.Requests(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task POST_without_idempotency_key_is_not_retried()
    {
        var server = _servers.Start();
        Sequence(server, "/report/abc", (503, null));
        using var client = TestPipelines.Client(resilience: new ResilienceHandler(TestPipelines.FastResilience()));

        using var response = await client.PostAsync(server.Uri("/report/abc"), new StringContent("{\"seq\":1}"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(server.Requests(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task POST_with_idempotency_key_is_retried_with_the_same_key_and_body()
    {
        var server = _servers.Start();
        Sequence(server, "/report/abc", (503, null), (502, null));
        using var client = TestPipelines.Client(
            idempotency: new IdempotencyHandler(),
            resilience: new ResilienceHandler(TestPipelines.FastResilience()));

        using var response = await client.PostAsync(server.Uri("/report/abc"), new StringContent("{\"seq\":1}"));
        using var second = await client.PostAsync(server.Uri("/report/abc"), new StringContent("{\"seq\":2}"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var requests = server.Requests();
        var keys = requests.Select(r => r.Header("Idempotency-Key")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(requests, Has.Count.EqualTo(4));
            Assert.That(keys[0], Is.Not.Null.And.Not.Empty);
            Assert.That(keys.Take(3), Is.All.EqualTo(keys[0]), "one key across the retries of one call");
            Assert.That(keys[3], Is.Not.EqualTo(keys[0]), "a new call gets a new key");
            Assert.That(requests.Take(3).Select(r => r.RequestMessage.Body), Is.All.EqualTo("{\"seq\":1}"));
        });
    }

    [Test]
    public async Task Retry_After_in_seconds_is_honoured()
    {
        var server = _servers.Start();
        Sequence(server, "/config/abc", (503, "20"));
        var time = new FakeTimeProvider();
        var options = TestPipelines.FastResilience();
        options.AttemptTimeout = TimeSpan.FromHours(1);
        options.TotalTimeout = TimeSpan.FromHours(2);
        using var client = TestPipelines.Client(resilience: new ResilienceHandler(options, time));

        var pending = client.GetAsync(server.Uri("/config/abc"));
        await WaitUntil(() => server.Requests().Count == 1);
        await Task.Delay(50);
        time.Advance(TimeSpan.FromSeconds(19));
        await Task.Delay(100);
        Assert.That(server.Requests(), Has.Count.EqualTo(1), "not before the 20 s the server asked for");
        time.Advance(TimeSpan.FromSeconds(1));

        using var response = await pending;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(server.Requests(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Retry_After_as_an_HTTP_date_is_honoured()
    {
        var server = _servers.Start();
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var retryAt = time.GetUtcNow().AddSeconds(30).ToString("R", CultureInfo.InvariantCulture);
        Sequence(server, "/config/abc", (429, retryAt));
        var options = TestPipelines.FastResilience();
        options.AttemptTimeout = TimeSpan.FromHours(1);
        options.TotalTimeout = TimeSpan.FromHours(2);
        using var client = TestPipelines.Client(resilience: new ResilienceHandler(options, time));

        var pending = client.GetAsync(server.Uri("/config/abc"));
        await WaitUntil(() => server.Requests().Count == 1);
        await Task.Delay(50);
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(100);
        Assert.That(server.Requests(), Has.Count.EqualTo(1), "not before the date the server named");
        time.Advance(TimeSpan.FromSeconds(1));

        using var response = await pending;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void Retry_After_beyond_the_cap_fails_fast_with_RateLimitedException()
    {
        var server = _servers.Start();
        Sequence(server, "/config/abc", (429, "120"));
        var options = TestPipelines.FastResilience();
        options.MaxRetryAfter = TimeSpan.FromSeconds(10);
        using var client = TestPipelines.Client(resilience: new ResilienceHandler(options));

        var error = Assert.ThrowsAsync<RateLimitedException>(() => client.GetAsync(server.Uri("/config/abc")));

        Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(120)));
        Assert.That(error.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(server.Requests(), Has.Count.EqualTo(1));
    }

    [Test]
    public void Retry_After_beyond_the_time_left_fails_fast_with_RateLimitedException()
    {
        var server = _servers.Start();
        Sequence(server, "/config/abc", (503, "8"));
        var options = TestPipelines.FastResilience();
        options.AttemptTimeout = TimeSpan.FromSeconds(5);
        options.TotalTimeout = TimeSpan.FromSeconds(5);
        using var client = TestPipelines.Client(resilience: new ResilienceHandler(options));

        var error = Assert.ThrowsAsync<RateLimitedException>(() => client.GetAsync(server.Uri("/config/abc")));

        Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(8)));
        Assert.That(server.Requests(), Has.Count.EqualTo(1));
    }

    [Test]
    public void A_429_that_is_still_there_after_the_last_retry_is_a_RateLimitedException()
    {
        var server = _servers.Start();
        Sequence(server, "/config/abc", (429, null), (429, null), (429, null), (429, null));
        using var client = TestPipelines.Client(resilience: new ResilienceHandler(TestPipelines.FastResilience()));

        Assert.ThrowsAsync<RateLimitedException>(() => client.GetAsync(server.Uri("/config/abc")));
        Assert.That(server.Requests(), Has.Count.EqualTo(4));
    }

    [Test]
    public async Task Transport_errors_are_retried()
    {
        var primary = new RecordingHandler((_, n) => n < 3
            ? throw new HttpRequestException("connection reset")
            : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)));
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(TestPipelines.FastResilience()));

        using var response = await client.GetAsync("https://controller.example/config/abc");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(primary.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public void A_transport_error_on_every_attempt_ends_after_the_last_retry_with_that_error()
    {
        var primary = new RecordingHandler((_, n) => throw new HttpRequestException($"connection reset {n}"));
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(TestPipelines.FastResilience()));

        var error = Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://controller.example/config/abc"));

        Assert.That(primary.Requests, Has.Count.EqualTo(4), "one attempt and three retries, not one more");
        Assert.That(error!.Message, Does.EndWith(" 4"), "the last attempt's error");
    }

    [Test]
    public void A_transport_error_that_is_not_retried_leaves_after_one_attempt_as_it_was_thrown()
    {
        var thrown = new HttpRequestException("connection reset");
        var primary = new RecordingHandler((_, _) => throw thrown);
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(TestPipelines.FastResilience()));

        var error = Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("https://controller.example/report/abc", new StringContent("{}")));

        Assert.That(error, Is.SameAs(thrown));
        Assert.That(primary.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_transient_status_then_a_transport_error_then_success_takes_three_attempts()
    {
        var primary = new RecordingHandler((_, n) => n switch
        {
            1 => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)),
            2 => throw new HttpRequestException("connection reset"),
            _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)),
        });
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(TestPipelines.FastResilience()));

        using var response = await client.GetAsync("https://controller.example/config/abc");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(primary.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task A_body_that_stalls_after_the_headers_times_the_attempt_out_and_the_retry_can_succeed()
    {
        var attempts = 0;
        var primary = new AnswerHandler(() => Interlocked.Increment(ref attempts) == 1
            ? Answer(new StalledStream("{\"kind\":"), "application/vnd.databack.device-config.v1+json", length: 1000)
            : Answer(new MemoryStream(System.Text.Encoding.UTF8.GetBytes("{}")), "application/vnd.databack.device-config.v1+json", length: 2));
        var options = TestPipelines.FastResilience();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options));

        using var response = await client.GetAsync("https://controller.test/engines/config/i-1", HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("{}"), "read within the attempt, not left to stall the reader");
        Assert.That(attempts, Is.EqualTo(2));
    }

    [Test]
    public void A_body_that_always_stalls_ends_in_a_timeout_error_instead_of_hanging()
    {
        var primary = new AnswerHandler(() => Answer(new StalledStream("{\"kind\":"), "application/vnd.databack.device-config.v1+json", length: null));
        var options = TestPipelines.FastResilience();
        options.MaxRetryAttempts = 1;
        options.AttemptTimeout = TimeSpan.FromMilliseconds(200);
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options));

        var call = client.GetAsync("https://controller.test/engines/config/i-1", HttpCompletionOption.ResponseHeadersRead);

        Assert.ThrowsAsync<CallTimedOutException>(async () => await call.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Test]
    public async Task A_stream_is_handed_on_unread_for_its_reader()
    {
        var primary = new AnswerHandler(() => Answer(new StalledStream("{\"seq\":1}\n"), "application/x-ndjson", length: null));
        var options = TestPipelines.FastResilience();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(200);
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options));

        using var response = await client.GetAsync("https://controller.test/instances/i-1/runs/r/log", HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(20));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        Assert.That(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo("{\"seq\":1}"), "the lines that came are readable as they come");
    }

    [Test]
    public async Task A_json_body_without_a_length_larger_than_the_bound_is_handed_on_whole_without_a_retry()
    {
        var payload = "{\"a\":\"" + new string('x', 17 * 1024 * 1024) + "\"}";
        var attempts = 0;
        var primary = new AnswerHandler(() =>
        {
            Interlocked.Increment(ref attempts);
            return Answer(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(payload)), "application/vnd.databack.run.v1+json", length: null);
        });
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(TestPipelines.FastResilience()));

        using var response = await client.GetAsync("https://controller.test/instances/i-1/runs/r", HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(body.Length, Is.EqualTo(payload.Length));
            Assert.That(body, Is.EqualTo(payload));
            Assert.That(attempts, Is.EqualTo(1), "its size is no failure to retry");
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/vnd.databack.run.v1+json"));
        });
    }

    private static HttpResponseMessage Answer(Stream body, string mediaType, long? length)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        content.Headers.ContentLength = length;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    // Gives its first bytes, then nothing until the read is cancelled: a server that sent the headers and stalled.
    private sealed class StalledStream(string start) : TestReadStream
    {
        private byte[]? _start = System.Text.Encoding.UTF8.GetBytes(start);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_start is { } first)
            {
                _start = null;
                first.CopyTo(buffer);
                return first.Length;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
    }

    [Test]
    public void A_call_over_its_attempt_timeout_is_a_typed_timeout_error()
    {
        var primary = new HangingHandler();
        var options = TestPipelines.FastResilience();
        options.MaxRetryAttempts = 0;
        options.AttemptTimeout = TimeSpan.FromMilliseconds(100);
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options));

        var error = Assert.ThrowsAsync<CallTimedOutException>(() => client.GetAsync("https://slow.example/config/abc"));

        Assert.That(error!.InnerException, Is.InstanceOf<Polly.Timeout.TimeoutRejectedException>());
        Assert.That(error.RequestMethod, Is.EqualTo(HttpMethod.Get));
    }

    [Test]
    public void Every_attempt_timing_out_ends_in_a_timeout_error_naming_the_attempt_timeout()
    {
        var primary = new HangingHandler();
        var options = TestPipelines.FastResilience();
        options.MaxRetryAttempts = 2;
        options.AttemptTimeout = TimeSpan.FromMilliseconds(50);
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options));

        var error = Assert.ThrowsAsync<CallTimedOutException>(() => client.GetAsync("https://slow.example/config/abc"));

        Assert.That(error!.Message, Does.Contain("attempt timeout").And.Not.Contain("the total timeout"));
        Assert.That(primary.Attempts, Is.EqualTo(3), "an attempt timeout is retried");
    }

    [Test]
    public async Task An_attempt_timeout_is_retried_and_the_next_attempt_can_succeed()
    {
        var time = new FakeTimeProvider();
        var primary = new HangingHandler { HangFor = 1 };
        var options = TestPipelines.FastResilience();
        options.BaseDelay = TimeSpan.FromSeconds(1);
        options.MaxDelay = TimeSpan.FromSeconds(1);
        options.UseJitter = false;
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options, time));

        var pending = client.GetAsync("https://slow.example/config/abc");
        await WaitUntil(() => primary.Attempts == 1);
        time.Advance(options.AttemptTimeout);
        await WaitUntil(() => primary.Cancelled == 1);
        await Task.Delay(50);
        time.Advance(TimeSpan.FromSeconds(1));

        using var response = await pending;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(primary.Attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task The_total_timeout_also_ends_a_retry_delay_and_says_so()
    {
        var time = new FakeTimeProvider();
        var primary = RecordingHandler.Always(HttpStatusCode.ServiceUnavailable);
        var options = TestPipelines.FastResilience();
        options.BaseDelay = TimeSpan.FromHours(1);
        options.MaxDelay = TimeSpan.FromHours(1);
        options.UseJitter = false;
        options.AttemptTimeout = TimeSpan.FromSeconds(5);
        options.TotalTimeout = TimeSpan.FromSeconds(10);
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options, time));

        var pending = client.GetAsync("https://slow.example/config/abc");
        await WaitUntil(() => primary.Requests.Count == 1);
        await Task.Delay(50);
        time.Advance(TimeSpan.FromSeconds(10));

        var error = Assert.ThrowsAsync<CallTimedOutException>(async () => await pending);
        Assert.That(error!.Message, Does.Contain("the total timeout"));
        Assert.That(error.InnerException, Is.InstanceOf<Polly.Timeout.TimeoutRejectedException>());
        Assert.That(primary.Requests, Has.Count.EqualTo(1), "no attempt after the total timeout");
    }

    [Test]
    public async Task The_total_timeout_ends_a_hanging_attempt_before_its_own_timeout()
    {
        var time = new FakeTimeProvider();
        var primary = new HangingHandler();
        var options = TestPipelines.FastResilience();
        options.AttemptTimeout = TimeSpan.FromSeconds(10);
        options.TotalTimeout = TimeSpan.FromSeconds(15);
        options.BaseDelay = TimeSpan.FromSeconds(4);
        options.MaxDelay = TimeSpan.FromSeconds(4);
        options.UseJitter = false;
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options, time));

        var pending = client.GetAsync("https://slow.example/config/abc");
        await WaitUntil(() => primary.Attempts == 1);
        time.Advance(TimeSpan.FromSeconds(10));
        await WaitUntil(() => primary.Cancelled == 1);
        await Task.Delay(50);
        time.Advance(TimeSpan.FromSeconds(4));
        await WaitUntil(() => primary.Attempts == 2);
        time.Advance(TimeSpan.FromSeconds(1));

        var error = Assert.ThrowsAsync<CallTimedOutException>(async () => await pending);
        Assert.That(error!.Message, Does.Contain("the total timeout"));
        Assert.That(primary.Attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task Timeouts_longer_than_the_system_timer_allows_are_accepted()
    {
        var primary = RecordingHandler.Always(HttpStatusCode.OK);
        var options = TestPipelines.FastResilience();
        options.AttemptTimeout = TimeSpan.FromDays(100);
        options.TotalTimeout = TimeSpan.FromDays(200);
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options));

        using var response = await client.GetAsync("https://controller.example/config/abc");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_callers_cancellation_stays_a_cancellation_not_a_timeout()
    {
        var primary = new HangingHandler();
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(TestPipelines.FastResilience()));
        using var cancel = new CancellationTokenSource();

        var pending = client.GetAsync("https://slow.example/config/abc", cancel.Token);
        await WaitUntil(() => primary.Attempts == 1);
        await cancel.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(async () => await pending);
        Assert.That(primary.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task An_open_circuit_survives_the_handler_being_recreated_when_the_registry_is_shared()
    {
        var primary = RecordingHandler.Always(HttpStatusCode.InternalServerError);
        var options = TestPipelines.FastResilience();
        options.MaxRetryAttempts = 0;
        options.BreakerMinimumThroughput = 2;
        options.BreakerFailureRatio = 0.5;
        var registry = new CircuitBreakerRegistry();
        using (var first = TestPipelines.Client(primary, resilience: new ResilienceHandler(options, null, null, registry)))
        {
            for (var i = 0; i < 2; i++)
            {
                (await first.GetAsync("https://broken.example/config/abc")).Dispose();
            }
        }

        // IHttpClientFactory builds a new handler chain; the breaker must still be open.
        using var second = TestPipelines.Client(primary, resilience: new ResilienceHandler(options, null, null, registry));
        Assert.ThrowsAsync<CircuitOpenException>(() => second.GetAsync("https://broken.example/config/abc"));
        Assert.That(primary.Requests, Has.Count.EqualTo(2), "the open circuit sends nothing");

        using var isolated = TestPipelines.Client(primary, resilience: new ResilienceHandler(options));
        (await isolated.GetAsync("https://broken.example/config/abc")).Dispose();
        Assert.That(primary.Requests, Has.Count.EqualTo(3), "a handler without the shared registry starts closed");
    }

    [Test]
    public async Task The_circuit_breaker_opens_per_authority()
    {
        var primary = new RecordingHandler((request, _) => Task.FromResult(new HttpResponseMessage(
            request.RequestUri!.Host == "broken.example" ? HttpStatusCode.InternalServerError : HttpStatusCode.OK)));
        var options = TestPipelines.FastResilience();
        options.MaxRetryAttempts = 0;
        options.BreakerMinimumThroughput = 2;
        options.BreakerFailureRatio = 0.5;
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options));

        for (var i = 0; i < 2; i++)
        {
            (await client.GetAsync("https://broken.example/config/abc")).Dispose();
        }

        var open = Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync("https://broken.example/config/abc"));
        Assert.That(open!.InnerException, Is.InstanceOf<BrokenCircuitException>());
        Assert.That(open.RequestUri, Is.EqualTo(new Uri("https://broken.example/config/abc")));
        using var healthy = await client.GetAsync("https://healthy.example/config/abc");
        Assert.That(healthy.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task After_the_break_one_probe_goes_through_while_others_are_refused_and_its_success_closes_the_circuit()
    {
        var time = new FakeTimeProvider();
        var probe = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var status = HttpStatusCode.InternalServerError;
        var holdNext = 0;
        var primary = new RecordingHandler((_, _) => Interlocked.Exchange(ref holdNext, 0) == 1
            ? probe.Task
            : Task.FromResult(new HttpResponseMessage(status)));
        var options = BreakerOptions();
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options, time, null, null));
        for (var i = 0; i < 2; i++)
        {
            (await client.GetAsync("https://flaky.example/config/abc")).Dispose();
        }

        Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync("https://flaky.example/config/abc"), "open: nothing is sent");
        Assert.That(primary.Requests, Has.Count.EqualTo(2));
        time.Advance(options.BreakerBreakDuration + TimeSpan.FromSeconds(1));

        Volatile.Write(ref holdNext, 1);
        var probing = client.GetAsync("https://flaky.example/config/abc");
        await WaitUntil(() => primary.Requests.Count == 3);
        Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync("https://flaky.example/config/abc"), "half-open: only the probe goes");
        Assert.That(primary.Requests, Has.Count.EqualTo(3));

        status = HttpStatusCode.OK;
        probe.SetResult(new HttpResponseMessage(HttpStatusCode.OK));
        using (var probed = await probing)
        {
            Assert.That(probed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var closed = await client.GetAsync("https://flaky.example/config/abc");
        Assert.That(closed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(primary.Requests, Has.Count.EqualTo(4), "closed again: calls go through");
    }

    [Test]
    public async Task A_failed_probe_opens_the_circuit_again()
    {
        var time = new FakeTimeProvider();
        var primary = RecordingHandler.Always(HttpStatusCode.ServiceUnavailable);
        var options = BreakerOptions();
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(options, time, null, null));
        for (var i = 0; i < 2; i++)
        {
            (await client.GetAsync("https://down.example/config/abc")).Dispose();
        }

        time.Advance(options.BreakerBreakDuration + TimeSpan.FromSeconds(1));
        using (var probe = await client.GetAsync("https://down.example/config/abc"))
        {
            Assert.That(probe.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }

        Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync("https://down.example/config/abc"));
        Assert.That(primary.Requests, Has.Count.EqualTo(3), "two failures and the probe; nothing after the probe failed");
    }

    [Test]
    public async Task A_response_arriving_after_the_circuit_opened_is_still_handed_to_its_caller_and_does_not_close_the_circuit()
    {
        var slow = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var primary = new RecordingHandler((request, _) => request.RequestUri!.AbsolutePath == "/slow"
            ? slow.Task
            : Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)));
        using var client = TestPipelines.Client(primary, resilience: new ResilienceHandler(BreakerOptions()));

        var inFlight = client.GetAsync("https://busy.example/slow");
        await WaitUntil(() => primary.Requests.Count == 1);
        for (var i = 0; i < 2; i++)
        {
            (await client.GetAsync("https://busy.example/config/abc")).Dispose();
        }

        Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync("https://busy.example/config/abc"));
        slow.SetResult(new HttpResponseMessage(HttpStatusCode.OK));
        using (var late = await inFlight)
        {
            Assert.That(late.StatusCode, Is.EqualTo(HttpStatusCode.OK), "sent while closed: its answer is the caller's");
        }

        Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync("https://busy.example/config/abc"), "still open");
        Assert.That(primary.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task A_route_moved_to_another_origin_fails_against_that_origin_and_leaves_the_original_circuit_closed()
    {
        // The controller moved reporting to a telemetry host (a partial endpoint's 301); the telemetry host then fails.
        var telemetryStatus = HttpStatusCode.OK;
        var primary = new RecordingHandler((request, _) =>
        {
            if (request.RequestUri!.Host == "telemetry.example")
            {
                return Task.FromResult(new HttpResponseMessage(telemetryStatus));
            }

            if (request.RequestUri.AbsolutePath.StartsWith("/engines/telemetry/", StringComparison.Ordinal))
            {
                var moved = new HttpResponseMessage(HttpStatusCode.MovedPermanently);
                moved.Headers.Location = new Uri("https://telemetry.example" + request.RequestUri.AbsolutePath);
                return Task.FromResult(moved);
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        var trusted = new TrustedOriginRegistry([new Uri("https://controller.example"), new Uri("https://telemetry.example")]);
        using var client = TestPipelines.Client(
            primary,
            routing: TestPipelines.Routing(trusted),
            resilience: new ResilienceHandler(BreakerOptions()));
        const string Events = "https://controller.example/engines/telemetry/abc/events";

        (await client.GetAsync(Events)).Dispose();
        telemetryStatus = HttpStatusCode.InternalServerError;
        for (var i = 0; i < 2; i++)
        {
            (await client.GetAsync(Events)).Dispose();
        }

        var sent = primary.Requests.Count;
        Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync(Events), "the telemetry host's circuit is open");
        Assert.That(primary.Requests, Has.Count.EqualTo(sent), "an open circuit sends nothing");
        using var config = await client.GetAsync("https://controller.example/engines/config/abc");
        Assert.That(config.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the controller's own routes are not cut off by the telemetry host's failures");
        Assert.That(primary.Requests[^1].Uri.Host, Is.EqualTo("controller.example"));

        // A call that does not follow remembered moves goes to the controller: it is not refused by the telemetry host's circuit.
        using var direct = new HttpRequestMessage(HttpMethod.Get, Events);
        direct.Options.Set(RoutingOptions.RequestOptionsKey, new RoutingOptions { RememberPermanentRedirects = false });
        telemetryStatus = HttpStatusCode.OK;
        var before = primary.Requests.Count;
        using var unmoved = await client.SendAsync(direct);
        Assert.That(unmoved.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(primary.Requests[before].Uri.Host, Is.EqualTo("controller.example"), "sent to the controller first, which moves it again");
    }

    private static ResilienceOptions BreakerOptions()
    {
        var options = TestPipelines.FastResilience();
        options.MaxRetryAttempts = 0;
        options.BreakerMinimumThroughput = 2;
        options.BreakerFailureRatio = 0.5;
        options.BreakerBreakDuration = TimeSpan.FromSeconds(30);
        return options;
    }

    [Test]
    public void Resilience_options_out_of_range_are_rejected()
    {
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new ResilienceOptions { MaxRetryAttempts = -1 }.Validate());
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new ResilienceOptions { AttemptTimeout = TimeSpan.FromMinutes(10), TotalTimeout = TimeSpan.FromMinutes(1) }.Validate());
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new ResilienceHandler(new ResilienceOptions { BreakerFailureRatio = 0 }));
    }

    /// <summary>A server that never answers, until the call is cancelled.</summary>
    private sealed class HangingHandler : HttpMessageHandler
    {
        private int _attempts;
        private int _cancelled;

        /// <summary>How many attempts hang (the later ones answer 200); all of them by default.</summary>
        public int HangFor { get; init; } = int.MaxValue;

        public int Attempts => Volatile.Read(ref _attempts);

        public int Cancelled => Volatile.Read(ref _cancelled);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _attempts) <= HangFor)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref _cancelled);
                    throw;
                }
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
