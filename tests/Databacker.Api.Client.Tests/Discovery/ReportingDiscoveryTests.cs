using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Discovery;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Tests.Support;
using Databacker.Api.Contracts;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Discovery;

[TestFixture]
public sealed class ReportingDiscoveryTests : ControllerTestBase
{
    private const string EventsPath = $"/engines/telemetry/{Controller.InstanceId}/events";

    private ServiceProvider Provider(WireMockServer controller) => ClientProvider(controller);

    [Test]
    public async Task Reporting_calls_go_to_the_reporting_server_the_discovery_document_names_and_carry_the_token_there()
    {
        var controller = Controller.Start(TestServers);
        var reporting = TestServers.Start();
        Controller.ServeEndpoints(controller, $$"""
            {"services":["scheduling","reporting"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"{{reporting.Url127()}}/r/","expiresIn":300}
            """);
        Controller.ServeEvents(reporting, "/r" + EventsPath);
        using var provider = Provider(controller);

        var receipt = await provider.GetRequiredService<IReportingClient>().PostEventsAsync(Controller.OneEvent(), Controller.InstanceId);

        var posted = reporting.Requests("/r" + EventsPath).Single();
        Assert.Multiple(() =>
        {
            Assert.That(receipt.Accepted, Is.EqualTo(1));
            Assert.That(posted.Header("Authorization"), Is.EqualTo("Bearer tok-2"), "the discovered origin is trusted, so the reporting token goes there");
            Assert.That(Controller.TokenScopes(controller), Is.EqualTo(new[] { "orchestration", "reporting" }), "discovery uses an orchestration token, reporting its own");
            Assert.That(posted.Header("Idempotency-Key"), Is.Not.Null.And.Not.Empty);
            Assert.That(controller.Requests(EventsPath), Is.Empty, "nothing is posted to the orchestration URL");
            Assert.That(provider.GetRequiredService<TrustedOriginRegistry>().IsTrusted(reporting.Uri()), Is.True);
        });
    }

    [Test]
    public async Task A_reporting_server_that_moved_costs_one_fresh_document_not_one_per_call_while_the_controller_still_names_it()
    {
        var controller = Controller.Start(TestServers);
        var reporting = TestServers.Start();
        var moved = TestServers.Start();
        Controller.ServeEndpoints(controller, $$"""
            {"services":["scheduling","reporting"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"{{reporting.Url127()}}/r/","expiresIn":3600}
            """);
        reporting.Given(Request.Create().WithPath("/r" + EventsPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(301).WithHeader("Location", moved.Url127() + "/r" + EventsPath));
        Controller.ServeEvents(moved, "/r" + EventsPath);
        using var provider = ClientProvider(controller, o => o.TrustedOrigins = [moved.Uri()]);
        var client = provider.GetRequiredService<IReportingClient>();

        for (var i = 0; i < 5; i++)
        {
            await client.PostEventsAsync(Controller.OneEvent(), Controller.InstanceId);
        }

        Assert.Multiple(() =>
        {
            Assert.That(moved.Requests("/r" + EventsPath), Has.Count.EqualTo(5));
            Assert.That(reporting.Requests("/r" + EventsPath), Has.Count.EqualTo(1), "the move is remembered after the first call");
            Assert.That(controller.Requests($"/engines/endpoints/{Controller.InstanceId}"), Has.Count.EqualTo(2), "the first document, and one fresh one after the move");
        });
    }

    [Test]
    public async Task The_events_url_of_the_discovery_document_wins_over_the_reporting_base_url()
    {
        var controller = Controller.Start(TestServers);
        var reporting = TestServers.Start();
        Controller.ServeEndpoints(controller, $$"""
            {"services":["reporting"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"{{controller.Url127()}}/nowhere/","eventsUrl":"{{reporting.Url127()}}/ingest/events"}
            """);
        Controller.ServeEvents(reporting, "/ingest/events");
        using var provider = Provider(controller);

        await provider.GetRequiredService<IReportingClient>().PostEventsAsync(Controller.OneEvent(), Controller.InstanceId);

        Assert.That(reporting.Requests("/ingest/events").Select(r => r.Header("Authorization")), Is.EqualTo(new[] { "Bearer tok-2" }));
    }

    [TestCase("""{"services":["scheduling"],"orchestrationUrl":"ORCH/","reportingUrl":"ORCH/r/"}""", "not enabled")]
    [TestCase("""{"services":["scheduling","reporting"],"orchestrationUrl":"ORCH/"}""", "names no reporting URL")]
    public void Reporting_that_is_not_enabled_fails_with_a_typed_error_and_sends_nothing(string document, string reason)
    {
        var controller = Controller.Start(TestServers);
        Controller.ServeEndpoints(controller, document.Replace("ORCH", controller.Url127(), StringComparison.Ordinal));
        Controller.ServeEvents(controller);
        Controller.ServeEvents(controller, "/r" + EventsPath);
        using var provider = Provider(controller);

        var ex = Assert.ThrowsAsync<ServiceNotEnabledException>(
            () => provider.GetRequiredService<IReportingClient>().PostEventsAsync(Controller.OneEvent(), Controller.InstanceId));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Service, Is.EqualTo(ServiceName.Reporting));
            Assert.That(ex.Message, Does.Contain(reason));
            Assert.That(ex.RequestMethod, Is.EqualTo(HttpMethod.Post));
            Assert.That(controller.LogEntries.Where(e => e.RequestMessage.Path.Contains("/telemetry/", StringComparison.Ordinal)), Is.Empty);
        });
    }

    [Test]
    public async Task A_410_from_the_reporting_server_refreshes_discovery_and_sends_the_call_to_the_new_server()
    {
        var controller = Controller.Start(TestServers);
        var gone = TestServers.Start();
        var current = TestServers.Start();
        controller.Given(Request.Create().WithPath($"/engines/endpoints/{Controller.InstanceId}").UsingGet())
            .InScenario("discovery").WillSetStateTo("moved")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/vnd.databack.endpoints.v1+json")
                .WithBody($$"""{"services":["reporting"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"{{gone.Url127()}}/"}"""));
        controller.Given(Request.Create().WithPath($"/engines/endpoints/{Controller.InstanceId}").UsingGet())
            .InScenario("discovery").WhenStateIs("moved")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/vnd.databack.endpoints.v1+json")
                .WithBody($$"""{"services":["reporting"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"{{current.Url127()}}/"}"""));
        gone.Given(Request.Create().WithPath(EventsPath)).RespondWith(Response.Create().WithStatusCode(410)
            .WithHeader("Content-Type", "application/problem+json").WithBody("""{"title":"Gone","status":410}"""));
        Controller.ServeEvents(current);
        using var provider = Provider(controller);

        var receipt = await provider.GetRequiredService<IReportingClient>().PostEventsAsync(Controller.OneEvent(), Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(receipt.Accepted, Is.EqualTo(1));
            Assert.That(gone.Requests(EventsPath), Has.Count.EqualTo(1));
            Assert.That(current.Requests(EventsPath).Select(r => r.Header("Authorization")), Is.EqualTo(new[] { "Bearer tok-2" }));
            Assert.That(current.Requests(EventsPath).Single().RequestMessage.Body, Is.EqualTo(gone.Requests(EventsPath).Single().RequestMessage.Body));
            Assert.That(controller.Requests($"/engines/endpoints/{Controller.InstanceId}"), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public void Reporting_urls_in_clear_text_count_as_none_and_nothing_is_sent()
    {
        // Logs and events may carry what redaction missed: a document naming plain http (not loopback) is not followed.
        var controller = Controller.Start(TestServers);
        Controller.ServeEndpoints(controller, $$"""
            {"services":["reporting"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"http://reports.example.com/","eventsUrl":"http://reports.example.com/events"}
            """);
        using var provider = Provider(controller);

        Assert.ThrowsAsync<ServiceNotEnabledException>(
            () => provider.GetRequiredService<IReportingClient>().PostEventsAsync(Controller.OneEvent(), Controller.InstanceId));
    }

    [Test]
    public void A_410_with_no_better_place_in_the_refreshed_document_is_thrown_as_EndpointNotImplemented()
    {
        var controller = Controller.Start(TestServers);
        var gone = TestServers.Start();
        Controller.ServeEndpoints(controller, $$"""{"services":["reporting"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"{{gone.Url127()}}/"}""");
        gone.Given(Request.Create().WithPath(EventsPath)).RespondWith(Response.Create().WithStatusCode(410));
        using var provider = Provider(controller);

        var ex = Assert.ThrowsAsync<EndpointNotImplementedException>(
            () => provider.GetRequiredService<IReportingClient>().PostEventsAsync(Controller.OneEvent(), Controller.InstanceId));
        Assert.Multiple(() =>
        {
            Assert.That(gone.Requests(EventsPath), Has.Count.EqualTo(1), "not resent to the same place");
            Assert.That(ex!.Operation, Is.EqualTo("Reporting_PostEvents"), "the generated client names its operation (the operationId)");
            Assert.That(ex.Message, Does.Contain("does not implement Reporting_PostEvents"));
        });
    }
}
