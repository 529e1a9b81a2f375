using Databacker.Api.Client.Discovery;
using Databacker.Api.Contracts;

namespace Databacker.Api.Client.Tests.Discovery;

[TestFixture]
public sealed class DiscoveredRouteSenderTests
{
    private sealed class CountingDiscovery : IEndpointDiscovery
    {
        public int Invalidations;

        public Task<DiscoveredEndpoints> GetAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<DiscoveredEndpoints> RefreshAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public void Invalidate() => Invalidations++;
    }

    private static DiscoveredEndpoints Document(string reporting) => new(
        new Endpoints { Services = [ServiceName.Reporting], OrchestrationUrl = new Uri("https://controller.example/"), ReportingUrl = new Uri(reporting) },
        DateTimeOffset.UnixEpoch,
        DateTimeOffset.MaxValue);

    // Every call is answered from elsewhere than its target: the place moved (followed below by the routing handler).
    private static Task<HttpResponseMessage> Moved(HttpRequestMessage request, CancellationToken _) =>
        Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK)
        {
            RequestMessage = new HttpRequestMessage(request.Method, new Uri("https://elsewhere.example" + request.RequestUri!.AbsolutePath)),
        });

    private static async Task Send(DiscoveredRouteSender sender, DiscoveredEndpoints endpoints, string target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        using var response = await sender.SendAsync(request, new Uri(target), endpoints, static (_, _) => new Uri("https://unused.example/"), 0, CancellationToken.None);
    }

    [Test]
    public async Task A_moved_place_costs_one_fresh_document_while_documents_name_it_and_again_once_they_named_other_places()
    {
        var discovery = new CountingDiscovery();
        var sender = new DiscoveredRouteSender(discovery, Moved, (_, _) => { });
        const string Old = "https://reporting-a.example/r/events";

        await Send(sender, Document("https://reporting-a.example/r/"), Old);
        await Send(sender, Document("https://reporting-a.example/r/"), Old);
        Assert.That(discovery.Invalidations, Is.EqualTo(1), "a fresh document that still names the place: the route table carries the move");

        await Send(sender, Document("https://reporting-b.example/r/"), "https://reporting-b.example/r/events");
        Assert.That(discovery.Invalidations, Is.EqualTo(2), "another place moved");

        await Send(sender, Document("https://reporting-a.example/r/"), Old);
        Assert.That(discovery.Invalidations, Is.EqualTo(3), "named again after other places: it may have moved again, one fresh document");
    }
}
