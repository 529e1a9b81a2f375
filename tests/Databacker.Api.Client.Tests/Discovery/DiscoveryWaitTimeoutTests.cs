using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Discovery;

/// <summary>A call's own <see cref="DatabackerRequestOverrides.Timeout"/> bounds its wait for a slow discovery document.</summary>
[TestFixture]
public sealed class DiscoveryWaitTimeoutTests : ControllerTestBase
{
    private static void ServeSlowEndpoints(WireMockServer controller, TimeSpan delay) =>
        controller.Given(Request.Create().WithPath($"/engines/endpoints/{Controller.InstanceId}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(delay)
                .WithHeader("Content-Type", "application/vnd.databack.endpoints.v1+json")
                .WithBody($$"""{"services":["reporting","scheduling"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"{{controller.Url127()}}/"}"""));

    [Test]
    public async Task A_reporting_call_stops_waiting_for_discovery_at_its_own_timeout()
    {
        var controller = Controller.Start(TestServers);
        ServeSlowEndpoints(controller, TimeSpan.FromSeconds(4));
        Controller.ServeEvents(controller);
        using var provider = ClientProvider(controller);
        var reporting = provider.GetRequiredService<IReportingClient>();

        Task call;
        using (DatabackerRequest.With(o => o.Timeout = TimeSpan.FromSeconds(1)))
        {
            call = reporting.PostEventsAsync(Controller.OneEvent(), Controller.InstanceId);
        }

        var finished = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(3)));

        Assert.That(finished, Is.SameAs(call), "the call ended well before the 4 s discovery answer (the test waited 3 s)");
        Assert.That(call.Exception?.InnerException, Is.InstanceOf<CallTimedOutException>());
    }

    [Test]
    public async Task An_orchestration_call_that_times_out_waiting_does_not_fall_back_or_pause_discovery()
    {
        var controller = Controller.Start(TestServers);
        ServeSlowEndpoints(controller, TimeSpan.FromSeconds(4));
        using var provider = ClientProvider(controller);
        var orchestration = provider.GetRequiredService<IOrchestrationClient>();

        Task call;
        using (DatabackerRequest.With(o => o.Timeout = TimeSpan.FromSeconds(1)))
        {
            call = orchestration.GetConfigAsync(Controller.InstanceId);
        }

        var finished = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(3)));

        Assert.Multiple(() =>
        {
            Assert.That(finished, Is.SameAs(call), "the call ended (the test waited 3 s)");
            Assert.That(call.Exception?.InnerException, Is.InstanceOf<CallTimedOutException>());
            Assert.That(controller.Requests($"/engines/config/{Controller.InstanceId}"), Is.Empty, "not sent to the configured URL as if discovery had failed");
        });
    }

    [Test]
    public async Task A_wait_within_the_timeout_lets_the_call_go_on_and_succeed()
    {
        var controller = Controller.Start(TestServers);
        ServeSlowEndpoints(controller, TimeSpan.FromMilliseconds(300));
        Controller.ServeEvents(controller);
        using var provider = ClientProvider(controller);
        var reporting = provider.GetRequiredService<IReportingClient>();

        using (DatabackerRequest.With(o => o.Timeout = TimeSpan.FromSeconds(20)))
        {
            await reporting.PostEventsAsync(Controller.OneEvent(), Controller.InstanceId);
        }

        Assert.That(controller.Requests($"/engines/telemetry/{Controller.InstanceId}/events"), Has.Count.EqualTo(1));
    }

    private const string ConfigPath = $"/engines/config/{Controller.InstanceId}";

    private static void ServeConfig(WireMockServer server) =>
        server.Given(Request.Create().WithPath(ConfigPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/vnd.databack.device-config.v1+json")
                .WithHeader("ETag", "\"1\"").WithBody(Controller.ConfigJson));

    [Test]
    public async Task A_discovery_fetch_that_times_out_by_itself_still_falls_back_to_the_configured_url()
    {
        var controller = Controller.Start(TestServers);
        ServeSlowEndpoints(controller, TimeSpan.FromSeconds(4));
        ServeConfig(controller);
        using var provider = ClientProvider(controller, o =>
        {
            o.Resilience.MaxRetryAttempts = 0;
            o.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(500);
            o.Resilience.TotalTimeout = TimeSpan.FromSeconds(1);
        });

        await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId); // no scope

        Assert.That(controller.Requests(ConfigPath), Has.Count.EqualTo(1), "served from the configured URL");
    }

    [Test]
    public async Task A_call_with_a_timeout_longer_than_a_wait_can_be_waits_for_discovery_like_any_other()
    {
        var controller = Controller.Start(TestServers);
        var discovered = TestServers.Start();
        controller.Given(Request.Create().WithPath($"/engines/endpoints/{Controller.InstanceId}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromMilliseconds(300))
                .WithHeader("Content-Type", "application/vnd.databack.endpoints.v1+json")
                .WithBody($$"""{"services":["reporting","scheduling"],"orchestrationUrl":"{{discovered.Url127()}}/"}"""));
        ServeConfig(controller);
        ServeConfig(discovered);
        using var provider = ClientProvider(controller);

        using (DatabackerRequest.With(o => o.Timeout = TimeSpan.FromDays(60)))
        {
            await provider.GetRequiredService<IOrchestrationClient>().GetConfigAsync(Controller.InstanceId);
        }

        Assert.Multiple(() =>
        {
            Assert.That(discovered.Requests(ConfigPath), Has.Count.EqualTo(1), "sent where the discovery document says");
            Assert.That(controller.Requests(ConfigPath), Is.Empty, "not the fallback of a failed discovery");
        });
    }
}
