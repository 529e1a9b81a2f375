using System.Net;
using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Contracts;
using Databacker.Api.Server.Caching;
using Databacker.Api.Server.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;

namespace Databacker.Api.Server.Tests;

public sealed class CachingAndContractTests
{
    private const string ConfigPath = "/engines/config/" + TestServerHost.InstanceA;

    [Test]
    public async Task The_configuration_carries_a_strong_ETag_and_a_matching_If_None_Match_gets_304_without_body()
    {
        await using var host = await TestServerHost.StartAsync();
        var token = host.AgentToken(TestServerHost.InstanceA, "orchestration");
        using var first = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigPath, token));
        var etag = first.Headers.ETag;
        Assert.That(etag, Is.Not.Null);
        Assert.That(etag!.IsWeak, Is.False);

        var conditional = host.Request(HttpMethod.Get, ConfigPath, token);
        conditional.Headers.IfNoneMatch.Add(etag);
        using var second = await host.Client.SendAsync(conditional);
        var stale = host.Request(HttpMethod.Get, ConfigPath, token);
        stale.Headers.TryAddWithoutValidation("If-None-Match", "\"stale\"");
        using var third = await host.Client.SendAsync(stale);
        Assert.Multiple(async () =>
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
            Assert.That(await second.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(second.Headers.ETag, Is.EqualTo(etag));
            Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public void The_ETag_depends_on_content_not_member_order()
    {
        var a = Newtonsoft.Json.Linq.JObject.Parse("""{"a":1,"b":{"y":2,"x":[1,2]}}""");
        var b = Newtonsoft.Json.Linq.JObject.Parse("""{"b":{"x":[1,2],"y":2},"a":1}""");
        var c = Newtonsoft.Json.Linq.JObject.Parse("""{"b":{"x":[2,1],"y":2},"a":1}""");
        Assert.Multiple(() =>
        {
            Assert.That(CanonicalEntityTag.Compute(a), Is.EqualTo(CanonicalEntityTag.Compute(b)));
            Assert.That(CanonicalEntityTag.Compute(a), Is.Not.EqualTo(CanonicalEntityTag.Compute(c)));
            Assert.That(CanonicalEntityTag.Compute(TestOrchestrationController.Document("x")), Is.Not.EqualTo(CanonicalEntityTag.Compute(TestOrchestrationController.Document("y"))));
        });
    }

    [TestCase("*", true)]
    [TestCase("\"other\", W/\"TAG\"", true)]
    [TestCase("\"other\"", false)]
    [TestCase("", false)]
    [TestCase("garbage", false)]
    public void If_None_Match_uses_weak_comparison_over_a_list(string header, bool expected) =>
        Assert.That(CanonicalEntityTag.MatchesIfNoneMatch(header, "\"TAG\""), Is.EqualTo(expected));

    [Test]
    public async Task The_contract_is_served_at_openapi_yaml()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.GetAsync("/openapi.yaml");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/yaml"));
            Assert.That(text, Does.Contain("openapi: 3.0.3").And.Contain("Orchestration_GetConfig"));
        });
    }

    [Test]
    public async Task The_health_endpoint_answers_without_a_token()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.GetAsync("/healthz");
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
        });
    }

    [Test]
    public async Task The_health_endpoint_is_unhealthy_while_the_token_endpoint_has_no_active_signing_key()
    {
        await using var host = await TestServerHost.StartAsync(services: s =>
        {
            var ring = new SigningKeyRing();
            ring.Add(EcdsaKey.Generate(), activatesAt: DateTimeOffset.UtcNow.AddHours(1)); // published, not yet signing
            s.AddSingleton(ring);
        });

        using var response = await host.Client.GetAsync("/healthz");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public void Starting_with_the_built_in_token_endpoint_but_no_instance_key_store_fails_fast()
    {
        Assert.That(async () => await TestServerHost.StartAsync(services: services =>
        {
            var store = services.Single(d => d.ServiceType == typeof(Databacker.Api.Auth.Validation.IInstanceKeyStore));
            services.Remove(store);
        }), Throws.InvalidOperationException.With.Message.Contains("IInstanceKeyStore"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void Starting_with_a_json_value_limit_that_is_not_positive_fails_fast(long limit) =>
        Assert.That(async () => await TestServerHost.StartAsync(o => o.RequestBodyLimits.MaxJsonValues = limit),
            Throws.InstanceOf<Microsoft.Extensions.Options.OptionsValidationException>().With.Message.Contains("RequestBodyLimits"));

    [Test]
    public void Starting_without_an_agent_token_issuer_fails_fast() =>
        Assert.That(async () => await TestServerHost.StartAsync(o => o.AgentTokens.Issuer = ""), Throws.InstanceOf<Microsoft.Extensions.Options.OptionsValidationException>());
}
