using System.Net;
using Databacker.Api.Server.Errors;
using Databacker.Api.Server.Routing;

namespace Databacker.Api.Server.Tests;

/// <summary>301/410/404 for partial endpoints, over every operation of the route table (new operations are covered automatically).</summary>
public sealed class PartialEndpointTests
{
    private static readonly Dictionary<string, Uri> Locations = new()
    {
        [ApiTags.Orchestration] = new Uri("https://orchestration.example.test"),
        [ApiTags.Reporting] = new Uri("https://reports.example.test/base/"),
        [ApiTags.Administration] = new Uri("https://admin.example.test"),
        [ApiTags.Auth] = new Uri("https://auth.example.test"),
    };

    public static IEnumerable<TestCaseData> EveryOperationOnEachPartialEndpoint() =>
        from served in new[] { ApiTags.Reporting, ApiTags.Orchestration }
        from route in ApiRouteTable.FromGeneratedControllers().Routes
        select new TestCaseData(served, route.OperationId, route.HttpMethod).SetName($"On a {served.ToLowerInvariant()}-only endpoint {route.OperationId} is answered by its rule");

    [Test]
    public void The_route_table_holds_every_tag_and_operation_of_the_generated_controllers()
    {
        var table = ApiRouteTable.FromGeneratedControllers();
        Assert.Multiple(() =>
        {
            Assert.That(table.Tags, Is.EquivalentTo(ApiTags.All));
            Assert.That(table.Routes, Has.Count.GreaterThanOrEqualTo(21));
            Assert.That(table.Routes.Select(r => r.OperationId), Is.Unique);
        });
    }

    [TestCaseSource(nameof(EveryOperationOnEachPartialEndpoint))]
    public async Task Operations_of_other_tags_are_redirected_301_to_the_configured_endpoint_with_same_path_and_query(string served, string operationId, string method)
    {
        var route = ApiRouteTable.FromGeneratedControllers().FindOperation(operationId)!;
        await using var host = await TestServerHost.StartAsync(o =>
        {
            o.ImplementedTags = new HashSet<string> { served };
            foreach (var (tag, location) in Locations.Where(l => l.Key != served))
            {
                o.TagLocations[tag] = location;
            }
        });
        var path = PathOf(route);
        using var response = await host.Client.SendAsync(host.Request(new HttpMethod(method), path + "?probe=1&x=%20y"));
        if (route.Tag == served)
        {
            Assert.That((int)response.StatusCode, Is.Not.AnyOf(301, 404, 405, 410), "a served operation reaches its controller (or auth)");
            return;
        }

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MovedPermanently));
            Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo(Locations[route.Tag].AbsoluteUri.TrimEnd('/') + path + "?probe=1&x=%20y"));
        });
    }

    [TestCaseSource(nameof(EveryOperationOnEachPartialEndpoint))]
    public async Task Operations_of_other_tags_without_a_configured_endpoint_are_410_problems(string served, string operationId, string method)
    {
        var route = ApiRouteTable.FromGeneratedControllers().FindOperation(operationId)!;
        await using var host = await TestServerHost.StartAsync(o => o.ImplementedTags = new HashSet<string> { served });
        using var response = await host.Client.SendAsync(host.Request(new HttpMethod(method), PathOf(route)));
        if (route.Tag == served)
        {
            Assert.That((int)response.StatusCode, Is.Not.AnyOf(301, 404, 405, 410));
            return;
        }

        var problem = await Problems.AssertProblemAsync(response, 410, DatabackerProblemTypes.NotServedHere);
        Assert.That(problem.GetProperty("operationId").GetString(), Is.EqualTo(operationId));
    }

    [TestCase(ApiTags.Reporting, "/nothing-here")]
    [TestCase(ApiTags.Reporting, "/engines/config")]
    [TestCase(ApiTags.Reporting, "/engines/config/orders-db/extra")]
    [TestCase(ApiTags.Orchestration, "/engines/telemetry/orders-db")]
    [TestCase(ApiTags.Orchestration, "/")]
    public async Task Paths_that_are_not_part_of_the_API_are_404_problems_on_a_partial_endpoint(string served, string path)
    {
        await using var host = await TestServerHost.StartAsync(o =>
        {
            o.ImplementedTags = new HashSet<string> { served };
            o.TagLocations[ApiTags.Administration] = new Uri("https://admin.example.test");
        });
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete })
        {
            using var response = await host.Client.SendAsync(host.Request(method, path));
            await Problems.AssertProblemAsync(response, 404, DatabackerProblemTypes.NotFound);
        }
    }

    [Test]
    public async Task A_method_the_path_does_not_have_is_a_405_problem_listing_the_allowed_methods()
    {
        await using var host = await TestServerHost.StartAsync(o => o.ImplementedTags = new HashSet<string> { ApiTags.Reporting });
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Delete, "/engines/config/orders-db"));
        await Problems.AssertProblemAsync(response, 405, DatabackerProblemTypes.MethodNotAllowed);
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "GET" }));
    }

    [Test]
    public async Task Controllers_of_tags_not_implemented_are_not_mapped_even_when_present()
    {
        // The test assembly holds an orchestration controller; on a reporting-only endpoint it must not answer.
        await using var host = await TestServerHost.StartAsync(o => o.ImplementedTags = new HashSet<string> { ApiTags.Reporting });
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/engines/config/orders-db", host.AgentToken(TestServerHost.InstanceA, "orchestration")));
        await Problems.AssertProblemAsync(response, 410, DatabackerProblemTypes.NotServedHere);
    }

    internal static string PathOf(ApiRoute route) => route.BuildPath(name => name switch
    {
        "instance" => TestServerHost.InstanceA,
        "run" => "5b0c8f1e-2f7d-4a51-9d0e-0a2b4c6d8e10",
        "kid" => "key-1",
        _ => "value",
    });
}
