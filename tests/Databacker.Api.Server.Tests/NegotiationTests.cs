using System.Net;
using System.Text;
using System.Text.Json;
using Databacker.Api.Server.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Linq;

namespace Databacker.Api.Server.Tests;

/// <summary>Media-type versioning over HTTP, with the contract's v1 and an added v2 of device-config.</summary>
public sealed class NegotiationTests
{
    private const string V1 = "application/vnd.databack.device-config.v1+json";
    private const string V2 = "application/vnd.databack.device-config.v2+json";
    private const string ConfigPath = "/engines/config/" + TestServerHost.InstanceA;

    private static Task<TestServerHost> StartWithV2() => TestServerHost.StartAsync(o =>
        o.Versions.Add(V2, document => new JObject { ["v2"] = true, ["document"] = JObject.FromObject(document) }));

    private static async Task<HttpResponseMessage> GetConfig(TestServerHost host, string? accept)
    {
        var request = host.Request(HttpMethod.Get, ConfigPath, host.AgentToken(TestServerHost.InstanceA, "orchestration"), accept);
        return await host.Client.SendAsync(request);
    }

    [Test]
    public async Task Every_global_filter_the_runtime_adds_is_built_once_not_per_request()
    {
        await using var host = await TestServerHost.StartAsync();
        var filters = host.App.Services.GetRequiredService<IOptions<MvcOptions>>().Value.Filters;

        Assert.That(filters, Is.Not.Empty);
        Assert.That(
            filters.OfType<IFilterFactory>().Where(f => !f.IsReusable).Select(f => f.GetType().Name + " " + (f as ServiceFilterAttribute)?.ServiceType.Name),
            Is.Empty,
            "a filter factory that is not reusable is asked for its filter, and the action's filter list rebuilt, on every request");
        using var response = await GetConfig(host, V1);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "negotiation still runs with the cached filter");
    }

    [TestCase(V1)]
    [TestCase("application/vnd.databack.device-config+json")]
    [TestCase("application/vnd.databack.device-config.v1")]
    [TestCase("application/vnd.databack.device-config")]
    [TestCase(null)]
    [TestCase("*/*")]
    [TestCase("application/*")]
    [TestCase("text/html, " + V1 + ";q=0.5")]
    public async Task With_only_v1_every_acceptable_form_is_answered_in_exactly_v1(string? accept)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await GetConfig(host, accept);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(V1));
        });
    }

    [TestCase("application/vnd.databack.device-config.v9+json")]
    [TestCase("application/vnd.databack.device-config.v1+xml")]
    [TestCase("application/xml")]
    [TestCase("application/json")]
    [TestCase("application/vnd.databack.endpoints.v1+json")]
    [TestCase(V1 + ";q=0, */*;q=0")]
    public async Task Only_unsupported_types_are_a_406_problem_listing_the_available_types(string accept)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await GetConfig(host, accept);
        var problem = await Problems.AssertProblemAsync(response, 406, DatabackerProblemTypes.NotAcceptable);
        Assert.That(Problems.Strings(problem.GetProperty("available")), Is.EqualTo(new[] { V1 }));
    }

    [TestCase(V1, V1)]
    [TestCase(V2, V2)]
    [TestCase("application/vnd.databack.device-config+json", V2)]
    [TestCase("application/vnd.databack.device-config.v1", V1)]
    [TestCase("application/vnd.databack.device-config.v2", V2)]
    [TestCase(null, V2)]
    [TestCase("*/*", V2)]
    [TestCase("application/*", V2)]
    [TestCase(V1 + ";q=0.9, " + V2 + ";q=0.1", V1)]
    [TestCase(V2 + ";q=0, */*", V1)]
    [TestCase(V1 + ", */*", V1)]
    public async Task An_added_v2_is_negotiated_next_to_v1_without_touching_routing(string? accept, string expected)
    {
        await using var host = await StartWithV2();
        using var response = await GetConfig(host, accept);
        var body = JObject.Parse(await response.Content.ReadAsStringAsync());
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(expected));
            Assert.That(body.ContainsKey("v2"), Is.EqualTo(expected == V2), "the v2 converter ran only for v2");
            Assert.That(response.Headers.Vary, Does.Contain("Accept"));
        });
    }

    [Test]
    public async Task A_406_lists_every_added_version()
    {
        await using var host = await StartWithV2();
        using var response = await GetConfig(host, "application/vnd.databack.device-config.v3+json");
        var problem = await Problems.AssertProblemAsync(response, 406, DatabackerProblemTypes.NotAcceptable);
        Assert.That(Problems.Strings(problem.GetProperty("available")), Is.EquivalentTo(new[] { V1, V2 }));
    }

    [TestCase("application/vnd.databack.events.v2+json")]
    [TestCase("application/json")]
    [TestCase("text/plain")]
    [TestCase("application/x-www-form-urlencoded")]
    public async Task A_request_body_of_an_unsupported_type_or_version_is_a_415_problem_listing_the_supported_types(string contentType)
    {
        await using var host = await TestServerHost.StartAsync();
        var request = host.Request(HttpMethod.Post, "/engines/telemetry/orders-db/events", host.AgentToken(TestServerHost.InstanceA, "reporting"));
        request.Content = new StringContent(ErrorTests.ValidBatch, Encoding.UTF8, contentType);
        using var response = await host.Client.SendAsync(request);
        var problem = await Problems.AssertProblemAsync(response, 415, DatabackerProblemTypes.UnsupportedMediaType);
        Assert.That(Problems.Strings(problem.GetProperty("supported")), Is.EqualTo(new[] { "application/vnd.databack.events.v1+json" }));
    }

    [TestCase(V1, HttpStatusCode.OK)]
    [TestCase(V2, HttpStatusCode.OK)]
    [TestCase("application/vnd.databack.device-config.v3+json", HttpStatusCode.UnsupportedMediaType)]
    public async Task A_request_body_of_an_added_version_is_accepted(string contentType, HttpStatusCode expected)
    {
        await using var host = await StartWithV2();
        var request = host.Request(HttpMethod.Put, "/instances/orders-db/config", TestServerHost.UserToken(), V1);
        request.Content = new StringContent(JsonSerializer.Serialize(new { version = "config.databack.io/v1", kind = "local", metadata = new { name = "x" }, spec = new { } }), Encoding.UTF8, contentType);
        using var response = await host.Client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_auth_endpoints_answer_plain_json()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/.well-known/oauth-authorization-server", accept: "application/json"));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
    }
}
