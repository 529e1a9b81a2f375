using System.Net;
using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Server.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Databacker.Api.Server.Errors;

namespace Databacker.Api.Server.Tests;

/// <summary>Agent and user tokens, scopes, audiences and instance binding.</summary>
public sealed class AuthorizationTests
{
    private const string ConfigA = "/engines/config/" + TestServerHost.InstanceA;

    [Test]
    public async Task An_agent_token_with_the_tag_scope_reaches_its_own_instance_route()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, host.AgentToken(TestServerHost.InstanceA, "orchestration")));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("/engines/config/" + TestServerHost.InstanceB, "orchestration", "GET")]
    [TestCase("/engines/endpoints/" + TestServerHost.InstanceB, "orchestration", "GET")]
    [TestCase("/engines/telemetry/" + TestServerHost.InstanceB + "/events", "reporting", "POST")]
    [TestCase("/engines/telemetry/" + TestServerHost.InstanceB + "/log", "reporting", "POST")]
    public async Task A_token_of_instance_A_on_instance_B_routes_is_a_403_instance_mismatch_problem(string path, string scope, string method)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(new HttpMethod(method), path, host.AgentToken(TestServerHost.InstanceA, scope)));
        await Problems.AssertProblemAsync(response, 403, DatabackerProblemTypes.InstanceMismatch);
    }

    [Test]
    public async Task A_form_body_naming_another_instance_cannot_replace_the_route_value_the_token_was_checked_against()
    {
        // MVC's value providers read a form before the route: without a route binding source, the action would be
        // called for instance B while authorization had checked instance A's token against the route's A.
        await using var host = await TestServerHost.StartAsync();
        var request = host.Request(HttpMethod.Get, ConfigA, host.AgentToken(TestServerHost.InstanceA, "orchestration"));
        request.Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("instance", TestServerHost.InstanceB)]);

        using var response = await host.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body, Does.Contain(TestServerHost.InstanceA).And.Not.Contain(TestServerHost.InstanceB));
        });
    }

    [Test]
    public async Task A_form_body_cannot_replace_a_route_value_on_an_administration_route_either()
    {
        await using var host = await TestServerHost.StartAsync();
        // The test controller throws for the instance "explode"; the route names another one.
        var request = host.Request(HttpMethod.Get, "/instances/" + TestServerHost.InstanceA, TestServerHost.UserToken());
        request.Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("instance", "explode")]);

        using var response = await host.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.Not.EqualTo(HttpStatusCode.InternalServerError), "the action gets the route's instance, whatever the body says");
    }

    [Test]
    public async Task A_reporting_token_on_an_orchestration_route_is_a_403_problem()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, host.AgentToken(TestServerHost.InstanceA, "reporting")));
        await Problems.AssertProblemAsync(response, 403, DatabackerProblemTypes.Forbidden);
    }

    [Test]
    public async Task An_orchestration_token_on_a_reporting_route_is_a_403_problem()
    {
        await using var host = await TestServerHost.StartAsync();
        var request = host.Request(HttpMethod.Post, "/engines/telemetry/orders-db/log", host.AgentToken(TestServerHost.InstanceA, "orchestration"));
        request.Content = new StringContent("{}\n", System.Text.Encoding.UTF8, "application/x-ndjson");
        using var response = await host.Client.SendAsync(request);
        await Problems.AssertProblemAsync(response, 403, DatabackerProblemTypes.Forbidden);
    }

    [Test]
    public async Task A_token_with_the_right_scope_but_another_service_audience_is_a_403_problem()
    {
        // An issuer that (mis)maps orchestration to reporting's audience, sharing the verifier's keys.
        var ring = new SigningKeyRing();
        ring.Add(EcdsaKey.Generate());
        await using var issuerHost = await TestServerHost.StartAsync(
            o =>
            {
                o.AgentTokens.ScopeAudiences["orchestration"] = "https://controller.test/reporting";
                o.AgentTokens.ScopeAudiences["reporting"] = "https://controller.test/reporting";
            },
            services => services.AddSingleton(ring));
        await using var host = await TestServerHost.StartAsync(services: services => services.AddSingleton(ring));
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, issuerHost.AgentToken(TestServerHost.InstanceA, "orchestration")));
        await Problems.AssertProblemAsync(response, 403, DatabackerProblemTypes.Forbidden);
    }

    [Test]
    public async Task No_token_is_a_401_problem_with_a_bearer_challenge()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA));
        await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
        Assert.That(response.Headers.WwwAuthenticate.Select(h => h.Scheme), Does.Contain("Bearer"));
    }

    [Test]
    public async Task A_user_token_on_an_agent_route_is_a_401_problem()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, TestServerHost.UserToken()));
        await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
    }

    [TestCase("orchestration")]
    [TestCase("reporting")]
    public async Task An_agent_token_on_an_admin_route_is_a_401_problem(string scope)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/instances", host.AgentToken(TestServerHost.InstanceA, scope)));
        await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
    }

    [TestCase(false)]
    [TestCase(true, TestName = "An agent token is refused as a user token even when the implementer replaced the user scheme's events")]
    public async Task An_agent_token_is_refused_as_a_user_token_even_if_the_user_scheme_trusted_the_controller_keys(bool replaceEvents)
    {
        await using var host = await TestServerHost.StartAsync(o =>
        {
            o.UserTokens.Issuer = TestServerHost.Issuer;
            o.UserTokens.Audience = "https://controller.test/orchestration";
            o.UserTokens.RequiredScope = "orchestration";
            if (replaceEvents)
            {
                o.UserTokens.ConfigureJwtBearer = jwt => jwt.Events = new JwtBearerEvents();
            }
        });
        // Simulate the misconfiguration: the user scheme would otherwise verify the agent token's signature.
        var ring = host.App.Services.GetRequiredService<SigningKeyRing>();
        var user = host.App.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(DatabackerAuthenticationSchemes.User);
        user.TokenValidationParameters.IssuerSigningKeys = ring.GetJsonWebKeySet().Keys.Select(k => new JsonWebKey(k.ToJson())).ToArray();

        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/instances", host.AgentToken(TestServerHost.InstanceA, "orchestration")));
        if (replaceEvents)
        {
            // Authenticated by the misconfigured scheme, then refused by the administration policy.
            await Problems.AssertProblemAsync(response, 403, DatabackerProblemTypes.Forbidden);
        }
        else
        {
            await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
        }
    }

    [Test]
    public async Task A_user_token_with_the_admin_scope_reaches_admin_routes()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/instances", TestServerHost.UserToken()));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_user_token_without_the_admin_scope_is_a_403_problem()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/instances", TestServerHost.UserToken(scope: "profile")));
        await Problems.AssertProblemAsync(response, 403, DatabackerProblemTypes.Forbidden);
    }

    [TestCase("https://evil.test", TestServerHost.UserAudience)]
    [TestCase(TestServerHost.UserIssuer, "another-audience")]
    public async Task A_user_token_of_another_issuer_or_audience_is_a_401_problem(string issuer, string audience)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/instances", TestServerHost.UserToken(issuer: issuer, audience: audience)));
        await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
    }

    [Test]
    public async Task An_agent_token_signed_by_another_controller_is_a_401_problem()
    {
        await using var other = await TestServerHost.StartAsync();
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, other.AgentToken(TestServerHost.InstanceA, "orchestration")));
        await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
    }

    [Test]
    public async Task The_auth_routes_are_anonymous()
    {
        await using var host = await TestServerHost.StartAsync();
        using var metadata = await host.Client.GetAsync("/.well-known/oauth-authorization-server");
        using var jwks = await host.Client.GetAsync("/.well-known/jwks.json");
        Assert.Multiple(() =>
        {
            Assert.That(metadata.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(jwks.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }
}
