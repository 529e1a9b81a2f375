using Databacker.Api.Contracts;
using Databacker.Api.Server.Routing;

namespace Databacker.Api.Server.Tests;

/// <summary><see cref="DiscoveryDocument"/>: the API's URL layout, per service, below any base path.</summary>
[TestFixture]
public sealed class DiscoveryDocumentTests
{
    private static readonly Uri Orchestration = new("https://controller.example.com/api");
    private static readonly Uri Reporting = new("https://reports.example.com/");

    [Test]
    public void Both_services_name_every_url_below_their_base_paths()
    {
        var document = DiscoveryDocument.Create("orders-db", [ServiceName.Scheduling, ServiceName.Reporting], Orchestration, Reporting);

        Assert.Multiple(() =>
        {
            Assert.That(document.Services, Is.EqualTo(new[] { ServiceName.Scheduling, ServiceName.Reporting }));
            Assert.That(document.OrchestrationUrl, Is.EqualTo(new Uri("https://controller.example.com/api/")));
            Assert.That(document.ConfigUrl, Is.EqualTo(new Uri("https://controller.example.com/api/engines/config/orders-db")));
            Assert.That(document.ReportingUrl, Is.EqualTo(Reporting));
            Assert.That(document.LogUrl, Is.EqualTo(new Uri("https://reports.example.com/engines/telemetry/orders-db/log")));
            Assert.That(document.EventsUrl, Is.EqualTo(new Uri("https://reports.example.com/engines/telemetry/orders-db/events")));
            Assert.That(document.ExpiresIn, Is.EqualTo(300));
        });
    }

    [Test]
    public void Reporting_alone_names_no_configuration_and_reports_to_the_orchestration_base_by_default()
    {
        var document = DiscoveryDocument.Create("orders-db", [ServiceName.Reporting], Orchestration, lifetime: TimeSpan.FromSeconds(42));

        Assert.Multiple(() =>
        {
            Assert.That(document.ConfigUrl, Is.Null);
            Assert.That(document.LogUrl, Is.EqualTo(new Uri("https://controller.example.com/api/engines/telemetry/orders-db/log")));
            Assert.That(document.ExpiresIn, Is.EqualTo(42));
        });
    }

    [Test]
    public void Scheduling_alone_names_no_reporting_url()
    {
        var document = DiscoveryDocument.Create("orders-db", [ServiceName.Scheduling, ServiceName.Scheduling], Orchestration, Reporting);

        Assert.Multiple(() =>
        {
            Assert.That(document.Services, Is.EqualTo(new[] { ServiceName.Scheduling }), "each service once");
            Assert.That(document.ConfigUrl, Is.Not.Null);
            Assert.That(document.ReportingUrl, Is.Null);
            Assert.That(document.LogUrl, Is.Null);
            Assert.That(document.EventsUrl, Is.Null);
        });
    }

    [Test]
    public void The_instance_id_is_escaped_so_it_stays_one_path_segment()
    {
        var document = DiscoveryDocument.Create("a/b?c#d", [ServiceName.Scheduling, ServiceName.Reporting], Orchestration);

        Assert.Multiple(() =>
        {
            Assert.That(document.ConfigUrl!.AbsoluteUri, Is.EqualTo("https://controller.example.com/api/engines/config/a%2Fb%3Fc%23d"));
            Assert.That(document.EventsUrl!.AbsoluteUri, Is.EqualTo("https://controller.example.com/api/engines/telemetry/a%2Fb%3Fc%23d/events"));
        });
    }

    [TestCase("/relative")]
    [TestCase("https://controller.example.com/?tenant=1")]
    [TestCase("https://controller.example.com/#top")]
    [TestCase("ftp://controller.example.com/")]
    public void A_base_url_that_is_not_an_absolute_http_base_is_refused(string url)
    {
        Assert.Throws<ArgumentException>(() => DiscoveryDocument.Create("orders-db", [ServiceName.Reporting], new Uri(url, UriKind.RelativeOrAbsolute)));
        Assert.Throws<ArgumentException>(() => DiscoveryDocument.Create("orders-db", [ServiceName.Reporting], Orchestration, new Uri(url, UriKind.RelativeOrAbsolute)));
    }

    [Test]
    public void A_negative_lifetime_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DiscoveryDocument.Create("orders-db", [ServiceName.Reporting], Orchestration, lifetime: TimeSpan.FromSeconds(-1)));
    }
}
