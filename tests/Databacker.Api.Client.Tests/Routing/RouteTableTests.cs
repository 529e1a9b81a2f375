using Databacker.Api.Client.Routing;

namespace Databacker.Api.Client.Tests.Routing;

[TestFixture]
public sealed class RouteTableTests
{
    [Test]
    public void A_moved_base_url_moves_the_other_routes_of_the_same_service_only()
    {
        var routes = new RouteTable();
        routes.Remember(new Uri("https://orch.example/api/report/abc"), new Uri("https://reporting.example/v2/report/abc"));

        Assert.Multiple(() =>
        {
            Assert.That(routes.TryResolve(new Uri("https://orch.example/api/report/xyz/events?since=1"), out var moved), Is.True);
            Assert.That(moved, Is.EqualTo(new Uri("https://reporting.example/v2/report/xyz/events?since=1")));
            Assert.That(routes.TryResolve(new Uri("https://orch.example/api/config/abc"), out var unchanged), Is.False);
            Assert.That(unchanged, Is.EqualTo(new Uri("https://orch.example/api/config/abc")));
        });
    }

    [Test]
    public void A_partial_endpoints_move_of_reporting_does_not_take_orchestration_along()
    {
        // The spec's partial endpoint: the controller sends reporting, at the same paths, to another host.
        var routes = new RouteTable();
        routes.Remember(new Uri("https://controller.example/engines/telemetry/i-1/log"), new Uri("https://reports.example/engines/telemetry/i-1/log"));

        Assert.Multiple(() =>
        {
            Assert.That(routes.TryResolve(new Uri("https://controller.example/engines/telemetry/i-1/events"), out var events), Is.True);
            Assert.That(events.ToString(), Is.EqualTo("https://reports.example/engines/telemetry/i-1/events"));
            Assert.That(routes.TryResolve(new Uri("https://controller.example/engines/config/i-1"), out _), Is.False, "the agent's token must not follow");
            Assert.That(routes.TryResolve(new Uri("https://controller.example/engines/endpoints/i-1"), out _), Is.False);
        });
    }

    [Test]
    public void A_single_segment_route_moves_alone_not_the_whole_origin()
    {
        var routes = new RouteTable();
        routes.Remember(new Uri("https://controller.example/summary"), new Uri("https://stats.example/summary"));

        Assert.Multiple(() =>
        {
            Assert.That(routes.TryResolve(new Uri("https://controller.example/summary"), out _), Is.True);
            Assert.That(routes.TryResolve(new Uri("https://controller.example/instances"), out _), Is.False);
            Assert.That(routes.TryResolve(new Uri("https://controller.example/engines/config/i-1"), out _), Is.False);
        });
    }

    [Test]
    public void Prefix_moves_can_be_turned_off()
    {
        var routes = new RouteTable();
        routes.Remember(new Uri("https://orch.example/api/report/abc"), new Uri("https://reporting.example/v2/report/abc"), applyToService: false);

        Assert.That(routes.TryResolve(new Uri("https://orch.example/api/report/abc"), out _), Is.True);
        Assert.That(routes.TryResolve(new Uri("https://orch.example/api/report/xyz"), out _), Is.False);
    }

    [Test]
    public void Chained_moves_resolve_to_the_last_place_and_cycles_stop()
    {
        var routes = new RouteTable();
        routes.Remember(new Uri("https://a.example/x"), new Uri("https://b.example/y"), applyToService: false);
        routes.Remember(new Uri("https://b.example/y"), new Uri("https://c.example/z"), applyToService: false);
        routes.Remember(new Uri("https://c.example/z"), new Uri("https://a.example/x"), applyToService: false);

        Assert.That(routes.TryResolve(new Uri("https://a.example/x"), out var target), Is.True);
        Assert.That(target.Host, Is.EqualTo("a.example").Or.EqualTo("b.example").Or.EqualTo("c.example"));
    }

    [Test]
    public void Clear_forgets_every_move()
    {
        var routes = new RouteTable();
        routes.Remember(new Uri("https://a.example/report/abc"), new Uri("https://b.example/report/abc"));

        routes.Clear();

        Assert.That(routes.Count, Is.Zero);
        Assert.That(routes.TryResolve(new Uri("https://a.example/report/abc"), out _), Is.False);
    }

    [Test]
    public void Trusted_origins_compare_scheme_host_and_port_exactly()
    {
        var registry = new TrustedOriginRegistry([new Uri("https://controller.example/some/path")]);

        Assert.Multiple(() =>
        {
            Assert.That(registry.IsTrusted(new Uri("https://CONTROLLER.example:443/other")), Is.True);
            Assert.That(registry.IsTrusted(new Uri("http://controller.example/")), Is.False);
            Assert.That(registry.IsTrusted(new Uri("https://controller.example:8443/")), Is.False);
            Assert.That(registry.IsTrusted(new Uri("https://controller.example.evil.test/")), Is.False);
        });
    }
}
