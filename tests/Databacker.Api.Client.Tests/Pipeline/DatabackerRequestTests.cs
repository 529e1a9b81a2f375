using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Tests.Support;
using Databacker.Api.Client.Versioning;
using Databacker.Api.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Pipeline;

[TestFixture]
public sealed class DatabackerRequestTests : ControllerTestBase
{
    private const string EventsPath = $"/engines/telemetry/{Controller.InstanceId}/events";
    private const string EndpointsPath = $"/engines/endpoints/{Controller.InstanceId}";

    private ServiceProvider Provider(WireMockServer controller) =>
        ClientProvider(controller, o =>
        {
            o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
            o.Resilience.MaxDelay = TimeSpan.FromMilliseconds(5);
        });

    private WireMockServer ReportingController()
    {
        var controller = Controller.Start(TestServers);
        Controller.ServeEndpoints(controller, $$"""{"services":["reporting"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"{{controller.Url127()}}/"}""");
        Controller.ServeEvents(controller);
        return controller;
    }

    private static EventBatch Event(Guid id) => new()
    {
        Events = [new Event { Id = id, Run = Guid.NewGuid(), Type = EventType.RunStarted, Timestamp = DateTimeOffset.UtcNow }],
    };

    /// <summary>Idempotency-Key received for each posted event id.</summary>
    private static Dictionary<Guid, string?> KeysByEvent(WireMockServer server) => server.Requests(EventsPath).ToDictionary(
        r => Guid.Parse((string)JObject.Parse(r.RequestMessage.Body!)["events"]![0]!["id"]!),
        r => r.Header("Idempotency-Key"));

    [Test]
    public async Task A_call_in_a_scope_carries_its_overrides_and_a_call_after_the_scope_does_not()
    {
        var controller = ReportingController();
        using var provider = Provider(controller);
        var reporting = provider.GetRequiredService<IReportingClient>();
        var inScope = Guid.NewGuid();
        var after = Guid.NewGuid();

        using (DatabackerRequest.With(o => o.Idempotency = i => i.KeyFactory = () => "my-persisted-key"))
        {
            await reporting.PostEventsAsync(Event(inScope), Controller.InstanceId);
        }

        await reporting.PostEventsAsync(Event(after), Controller.InstanceId);

        var keys = KeysByEvent(controller);
        Assert.Multiple(() =>
        {
            Assert.That(keys[inScope], Is.EqualTo("my-persisted-key"));
            Assert.That(keys[after], Is.Not.EqualTo("my-persisted-key").And.Not.Null, "the configured key factory is back");
            Assert.That(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabackerClientOptions>>().Value.Idempotency.KeyFactory(),
                Is.Not.EqualTo("my-persisted-key"), "the configured options are never modified");
        });
    }

    [Test]
    public async Task Concurrent_calls_each_get_only_their_own_scope()
    {
        var controller = ReportingController();
        using var provider = Provider(controller);
        var reporting = provider.GetRequiredService<IReportingClient>();
        const int Calls = 24;
        var ids = Enumerable.Range(0, Calls).Select(_ => Guid.NewGuid()).ToArray();
        using var start = new Barrier(Calls);

        await Task.WhenAll(Enumerable.Range(0, Calls).Select(i => Task.Run(async () =>
        {
            start.SignalAndWait();
            if (i % 2 == 0)
            {
                using (DatabackerRequest.With(o => o.Idempotency = k => k.KeyFactory = () => $"scoped-{i}"))
                {
                    await Task.Yield();
                    await reporting.PostEventsAsync(Event(ids[i]), Controller.InstanceId);
                }
            }
            else
            {
                await reporting.PostEventsAsync(Event(ids[i]), Controller.InstanceId);
            }
        })));

        var keys = KeysByEvent(controller);
        Assert.That(keys, Has.Count.EqualTo(Calls));
        Assert.Multiple(() =>
        {
            for (var i = 0; i < Calls; i++)
            {
                if (i % 2 == 0)
                {
                    Assert.That(keys[ids[i]], Is.EqualTo($"scoped-{i}"), $"call {i} in its own scope");
                }
                else
                {
                    Assert.That(keys[ids[i]], Does.Not.StartWith("scoped-"), $"call {i} outside any scope");
                }
            }
        });
    }

    [Test]
    public async Task The_discovery_fetch_a_scoped_call_triggers_runs_with_the_configured_options()
    {
        // The discovery document is shared by every caller: a scope that turns retries off must not turn them off for it.
        var controller = Controller.Start(TestServers);
        controller.Given(Request.Create().WithPath(EndpointsPath).UsingGet()).InScenario("d").WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(503));
        controller.Given(Request.Create().WithPath(EndpointsPath).UsingGet()).InScenario("d").WhenStateIs("up")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/vnd.databack.endpoints.v1+json")
                .WithBody($$"""{"services":["reporting"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"{{controller.Url127()}}/"}"""));
        Controller.ServeEvents(controller);
        using var provider = Provider(controller);

        using (DatabackerRequest.With(o => o.Resilience = r => r.MaxRetryAttempts = 0))
        {
            await provider.GetRequiredService<IReportingClient>().PostEventsAsync(Event(Guid.NewGuid()), Controller.InstanceId);
        }

        Assert.That(controller.Requests(EndpointsPath), Has.Count.EqualTo(2), "the discovery fetch was retried after its 503");
    }

    [Test]
    public async Task The_scoped_call_itself_uses_the_override()
    {
        var controller = Controller.Start(TestServers);
        Controller.ServeEndpoints(controller, $$"""{"services":["reporting"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"{{controller.Url127()}}/"}""");
        controller.Given(Request.Create().WithPath(EventsPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(503));
        using var provider = Provider(controller);
        var reporting = provider.GetRequiredService<IReportingClient>();

        using (DatabackerRequest.With(o => o.Resilience = r => r.MaxRetryAttempts = 0))
        {
            Assert.ThrowsAsync<DatabackerApiException>(() => reporting.PostEventsAsync(Event(Guid.NewGuid()), Controller.InstanceId));
        }

        Assert.That(controller.Requests(EventsPath), Has.Count.EqualTo(1), "not retried in the scope");
        Assert.ThrowsAsync<DatabackerApiException>(() => reporting.PostEventsAsync(Event(Guid.NewGuid()), Controller.InstanceId));
        Assert.That(controller.Requests(EventsPath), Has.Count.EqualTo(1 + 4), "retried 3 times outside it");
    }

    [Test]
    public async Task A_task_started_in_a_scope_does_not_see_it_once_the_scope_is_disposed()
    {
        var controller = ReportingController();
        using var provider = Provider(controller);
        var reporting = provider.GetRequiredService<IReportingClient>();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var during = Guid.NewGuid();
        var later = Guid.NewGuid();
        Task background;

        using (DatabackerRequest.With(o => o.Idempotency = i => i.KeyFactory = () => "scoped"))
        {
            background = Task.Run(async () =>
            {
                await reporting.PostEventsAsync(Event(during), Controller.InstanceId);
                await go.Task;
                await reporting.PostEventsAsync(Event(later), Controller.InstanceId);
            });
            await WaitFor(() => controller.Requests(EventsPath).Count == 1);
        }

        go.SetResult();
        await background;

        var keys = KeysByEvent(controller);
        Assert.Multiple(() =>
        {
            Assert.That(keys[during], Is.EqualTo("scoped"), "started and sent while the scope was open");
            Assert.That(keys[later], Is.Not.EqualTo("scoped"), "sent after the scope was disposed");
        });
    }

    [Test]
    public async Task A_nested_scope_adds_to_the_outer_one_and_the_outer_one_is_back_after_it()
    {
        var controller = ReportingController();
        using var provider = Provider(controller);
        var reporting = provider.GetRequiredService<IReportingClient>();
        var inner = Guid.NewGuid();
        var outer = Guid.NewGuid();

        using (DatabackerRequest.With(o => o.Idempotency = i => i.KeyFactory = () => "outer"))
        {
            using (DatabackerRequest.With(o => o.Idempotency += i =>
            {
                var outerKey = i.KeyFactory;
                i.KeyFactory = () => outerKey() + "+inner";
            }))
            {
                await reporting.PostEventsAsync(Event(inner), Controller.InstanceId);
            }

            await reporting.PostEventsAsync(Event(outer), Controller.InstanceId);
        }

        var keys = KeysByEvent(controller);
        Assert.That((keys[inner], keys[outer]), Is.EqualTo(("outer+inner", "outer")));
    }

    [Test]
    public async Task Timeout_sets_the_total_timeout_shortens_the_attempt_timeout_and_leaves_the_configured_options_alone()
    {
        var configured = new ResilienceOptions { AttemptTimeout = TimeSpan.FromSeconds(30), TotalTimeout = TimeSpan.FromMinutes(3), MaxRetryAttempts = 3 };
        ResilienceOptions? seen = null;
        using var http = new HttpClient(new RequestOverridesHandler(configured, new RoutingOptions(), new IdempotencyOptions(), new MediaTypeOptions())
        {
            InnerHandler = new RecordingHandler((request, _) =>
            {
                request.Options.TryGetValue(ResilienceOptions.RequestOptionsKey, out seen);
                return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
            }),
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/x");

        using (DatabackerRequest.With(o =>
        {
            o.Resilience = r => r.MaxRetryAttempts = 1;
            o.Timeout = TimeSpan.FromSeconds(5);
        }))
        {
            DatabackerRequest.Capture(request);
        }

        using var response = await http.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.Not.Null.And.Not.SameAs(configured));
            Assert.That((seen!.TotalTimeout, seen.AttemptTimeout, seen.MaxRetryAttempts), Is.EqualTo((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), 1)));
            Assert.That((configured.TotalTimeout, configured.AttemptTimeout, configured.MaxRetryAttempts), Is.EqualTo((TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(30), 3)));
        });
    }

    [Test]
    public async Task A_routing_override_gets_its_own_copy_of_the_credential_headers()
    {
        var configured = new RoutingOptions();
        RoutingOptions? seen = null;
        using var http = new HttpClient(new RequestOverridesHandler(new ResilienceOptions(), configured, new IdempotencyOptions(), new MediaTypeOptions())
        {
            InnerHandler = new RecordingHandler((request, _) =>
            {
                request.Options.TryGetValue(RoutingOptions.RequestOptionsKey, out seen);
                return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
            }),
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/x");
        using (DatabackerRequest.With(o => o.Routing = r =>
        {
            r.CrossOriginRedirects = CrossOriginRedirectPolicy.FollowWithoutCredentials;
            r.CredentialHeaders.Add("X-Api-Key");
        }))
        {
            DatabackerRequest.Capture(request);
        }

        (await http.SendAsync(request)).Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(seen!.CrossOriginRedirects, Is.EqualTo(CrossOriginRedirectPolicy.FollowWithoutCredentials));
            Assert.That(seen.CredentialHeaders, Does.Contain("X-Api-Key"));
            Assert.That(configured.CredentialHeaders, Is.Empty);
            Assert.That(configured.CrossOriginRedirects, Is.EqualTo(CrossOriginRedirectPolicy.Fail));
        });
    }

    [Test]
    public void A_request_prepared_outside_any_scope_carries_no_overrides()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/x");
        using (DatabackerRequest.With(o => o.Timeout = TimeSpan.FromSeconds(1)))
        {
        }

        DatabackerRequest.Capture(request);

        Assert.That(request.Options.TryGetValue(ResilienceOptions.RequestOptionsKey, out _), Is.False);
        Assert.That(request.Options, Is.Empty);
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void A_timeout_that_is_not_positive_is_refused(int seconds)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => DatabackerRequest.With(o => o.Timeout = TimeSpan.FromSeconds(seconds)));
        Assert.That(ex!.Message, Does.Contain("Timeout must be more than zero"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/x");
        DatabackerRequest.Capture(request);
        Assert.That(request.Options, Is.Empty, "a refused scope is not left open");
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.That(condition(), Is.True);
    }
}
