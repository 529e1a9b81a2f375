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
    public void A_moved_single_segment_route_takes_every_query_of_it_along_with_one_entry()
    {
        // Every page of GET /instances?cursor=… after the administration endpoint moved.
        var routes = new RouteTable();
        for (var page = 0; page < 1000; page++)
        {
            routes.Remember(new Uri($"https://a.example/instances?cursor={page}"), new Uri($"https://b.example/instances?cursor={page}"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(routes.TryResolve(new Uri("https://a.example/instances?cursor=next&limit=50"), out var next), Is.True);
            Assert.That(next, Is.EqualTo(new Uri("https://b.example/instances?cursor=next&limit=50")), "the request's own query is kept");
            Assert.That(routes.Count, Is.EqualTo(1));
            Assert.That(routes.TryResolve(new Uri("https://a.example/summary"), out _), Is.False);
        });
    }

    [Test]
    public void A_move_that_changes_the_query_stays_a_move_of_that_uri_alone()
    {
        var routes = new RouteTable();
        routes.Remember(new Uri("https://a.example/instances?cursor=1"), new Uri("https://b.example/list?page=1"));

        Assert.Multiple(() =>
        {
            Assert.That(routes.TryResolve(new Uri("https://a.example/instances?cursor=1"), out var moved), Is.True);
            Assert.That(moved, Is.EqualTo(new Uri("https://b.example/list?page=1")));
            Assert.That(routes.TryResolve(new Uri("https://a.example/instances?cursor=2"), out _), Is.False);
        });
    }

    [Test]
    public void The_table_stays_bounded_however_many_moves_it_sees_and_keeps_the_latest()
    {
        var routes = new RouteTable();
        for (var i = 0; i < 5 * RouteTable.MaxEntries; i++)
        {
            routes.Remember(new Uri($"https://a.example/instances/i-{i}/config"), new Uri($"https://b.example/instances/i-{i}/config"));
        }

        var last = 5 * RouteTable.MaxEntries - 1;
        Assert.Multiple(() =>
        {
            Assert.That(routes.Count, Is.LessThanOrEqualTo(2 * RouteTable.MaxEntries), "paths and folders, each bounded");
            Assert.That(routes.TryResolve(new Uri($"https://a.example/instances/i-{last}/keys"), out var folder), Is.True, "the latest folder move is kept");
            Assert.That(folder, Is.EqualTo(new Uri($"https://b.example/instances/i-{last}/keys")));
        });
    }

    [Test]
    public void The_deepest_remembered_folder_wins()
    {
        var routes = new RouteTable();
        routes.Remember(new Uri("https://a.example/api/x"), new Uri("https://b.example/api/x"));
        routes.Remember(new Uri("https://a.example/api/report/x"), new Uri("https://c.example/api/report/x"));

        Assert.Multiple(() =>
        {
            Assert.That(routes.TryResolve(new Uri("https://a.example/api/report/y"), out var deep), Is.True);
            Assert.That(deep.Host, Is.EqualTo("c.example"));
            Assert.That(routes.TryResolve(new Uri("https://a.example/api/y"), out var shallow), Is.True);
            Assert.That(shallow.Host, Is.EqualTo("b.example"));
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
