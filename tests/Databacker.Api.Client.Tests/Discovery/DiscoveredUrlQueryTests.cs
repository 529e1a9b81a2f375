using Databacker.Api.Client.Discovery;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Databacker.Api.Client.Tests.Discovery;

/// <summary>A URL the discovery document names is used exactly as named, its own query included.</summary>
[TestFixture]
public sealed class DiscoveredUrlQueryTests : ControllerTestBase
{
    [Test]
    public async Task The_events_url_is_posted_to_as_the_document_names_it_query_included()
    {
        var controller = Controller.Start(TestServers);
        var reporting = TestServers.Start();
        Controller.ServeEndpoints(controller, $$"""
            {"services":["reporting"],"orchestrationUrl":"{{controller.Url127()}}/","eventsUrl":"{{reporting.Url127()}}/ingest/events?tenant=t-42"}
            """);
        Controller.ServeEvents(reporting, "/ingest/events");
        using var provider = ClientProvider(controller);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await provider.GetRequiredService<IReportingClient>().PostEventsAsync(Controller.OneEvent(), Controller.InstanceId, cts.Token);

        var posted = reporting.Requests("/ingest/events").Single();
        Assert.That(posted.RequestMessage.Url, Does.EndWith("/ingest/events?tenant=t-42"));
    }

    [TestCase("https://r.example.com/ingest/log?tenant=t-42", "engines/telemetry/i-1/log", "https://r.example.com/ingest/log?tenant=t-42")]
    [TestCase("https://r.example.com/ingest/log?tenant=t-42", "engines/telemetry/i-1/log?part=2", "https://r.example.com/ingest/log?tenant=t-42&part=2")]
    [TestCase("https://r.example.com/ingest/log", "engines/telemetry/i-1/log?part=2", "https://r.example.com/ingest/log?part=2")]
    [TestCase("https://r.example.com/ingest/log?tenant=t-42#frag", "engines/telemetry/i-1/log", "https://r.example.com/ingest/log?tenant=t-42")]
    public void The_named_urls_query_comes_first_and_the_operations_after_it(string logUrl, string relative, string expected)
    {
        var endpoints = new DiscoveredEndpoints(
            new Contracts.Endpoints { Services = [Contracts.ServiceName.Reporting], OrchestrationUrl = new Uri("https://o.example.com/"), LogUrl = new Uri(logUrl) },
            DateTimeOffset.UnixEpoch,
            DateTimeOffset.UnixEpoch.AddMinutes(5));

        Assert.That(endpoints.ResolveReporting(relative)?.AbsoluteUri, Is.EqualTo(expected));
    }
}
