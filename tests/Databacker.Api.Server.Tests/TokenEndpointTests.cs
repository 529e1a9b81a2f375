using System.Net;
using System.Text.Json;
using Databacker.Api.Auth.ClientAssertions;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.TestHost;

namespace Databacker.Api.Server.Tests;

/// <summary>The built-in token endpoint, metadata and key set; and split deployments verifying with another endpoint's key set.</summary>
public sealed class TokenEndpointTests
{
    private static FormUrlEncodedContent Form(string assertion, string? scope = "orchestration", string grantType = "client_credentials", string? clientId = null)
    {
        var values = new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["client_assertion_type"] = ClientAssertionConstants.AssertionType,
            ["client_assertion"] = assertion,
        };
        if (scope is not null)
        {
            values["scope"] = scope;
        }

        if (clientId is not null)
        {
            values["client_id"] = clientId;
        }

        return new FormUrlEncodedContent(values);
    }

    [Test]
    public async Task A_valid_assertion_gets_a_no_store_access_token_that_opens_the_instance_routes()
    {
        await using var host = await TestServerHost.StartAsync();
        var assertions = host.RegisterInstance(TestServerHost.InstanceA);
        using var response = await host.Client.PostAsync("/oauth2/token", Form(await assertions.CreateAsync(), clientId: TestServerHost.InstanceA));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        });
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
            Assert.That(json.GetProperty("expires_in").GetInt32(), Is.EqualTo(600));
            Assert.That(json.GetProperty("scope").GetString(), Is.EqualTo("orchestration"));
        });

        using var config = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/engines/config/" + TestServerHost.InstanceA, json.GetProperty("access_token").GetString()));
        using var other = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/engines/config/" + TestServerHost.InstanceB, json.GetProperty("access_token").GetString()));
        Assert.Multiple(() =>
        {
            Assert.That(config.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task An_assertion_signed_with_an_unregistered_key_is_an_RFC_6749_invalid_client()
    {
        await using var host = await TestServerHost.StartAsync();
        host.RegisterInstance(TestServerHost.InstanceA);
        var impostor = new ClientAssertionFactory(
            new PemStringKeySource(EcdsaKey.Generate().ExportPkcs8PrivateKeyPem()),
            Microsoft.Extensions.Options.Options.Create(new ClientAssertionOptions { InstanceId = TestServerHost.InstanceA, Audience = TestServerHost.Issuer }));
        using var response = await host.Client.PostAsync("/oauth2/token", Form(await impostor.CreateAsync()));
        await AssertOAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Test]
    public async Task A_replayed_assertion_is_an_RFC_6749_invalid_client()
    {
        await using var host = await TestServerHost.StartAsync();
        var assertion = await host.RegisterInstance(TestServerHost.InstanceA).CreateAsync();
        using var first = await host.Client.PostAsync("/oauth2/token", Form(assertion));
        using var second = await host.Client.PostAsync("/oauth2/token", Form(assertion));
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertOAuthErrorAsync(second, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [TestCase("not.a.jwt")]
    [TestCase("eyJhbGciOiJFUzI1NiIsInR5cCI6ImNsaWVudC1hdXRoZW50aWNhdGlvbitqd3QiLCJraWQiOiJcdWQ4MDAifQ.e30.AAAA", TestName = "An assertion whose kid is a lone surrogate escape is an RFC 6749 invalid_client, not a 500")]
    public async Task A_garbage_assertion_is_an_RFC_6749_invalid_client(string assertion)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.PostAsync("/oauth2/token", Form(assertion));
        await AssertOAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Test]
    public async Task Another_grant_type_is_an_RFC_6749_unsupported_grant_type()
    {
        await using var host = await TestServerHost.StartAsync();
        var assertion = await host.RegisterInstance(TestServerHost.InstanceA).CreateAsync();
        using var response = await host.Client.PostAsync("/oauth2/token", Form(assertion, grantType: "password"));
        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "unsupported_grant_type");
    }

    [Test]
    public async Task An_empty_form_is_an_RFC_6749_invalid_request()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.PostAsync("/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>()));
        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [TestCase("grant_type")]
    [TestCase("client_assertion")]
    [TestCase("scope")]
    public async Task A_parameter_given_twice_is_an_RFC_6749_invalid_request_and_spends_no_assertion(string parameter)
    {
        await using var host = await TestServerHost.StartAsync();
        var assertion = await host.RegisterInstance(TestServerHost.InstanceA).CreateAsync();
        var values = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            new("client_assertion", assertion),
            new("scope", "orchestration"),
        };
        values.Add(values.First(v => v.Key == parameter));

        using var twice = await host.Client.PostAsync("/oauth2/token", new FormUrlEncodedContent(values));
        using var once = await host.Client.PostAsync("/oauth2/token", Form(assertion));

        await AssertOAuthErrorAsync(twice, HttpStatusCode.BadRequest, "invalid_request");
        Assert.That(once.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the refused request did not spend the assertion");
    }

    [Test]
    public async Task An_unknown_scope_is_an_RFC_6749_invalid_scope()
    {
        await using var host = await TestServerHost.StartAsync();
        var assertion = await host.RegisterInstance(TestServerHost.InstanceA).CreateAsync();
        using var response = await host.Client.PostAsync("/oauth2/token", Form(assertion, scope: "admin"));
        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_scope");
    }

    [Test]
    public async Task The_metadata_names_the_issuer_token_endpoint_and_key_set()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.GetAsync("/.well-known/oauth-authorization-server");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("issuer").GetString(), Is.EqualTo(TestServerHost.Issuer));
            Assert.That(json.GetProperty("token_endpoint").GetString(), Is.EqualTo(TestServerHost.Issuer + "/oauth2/token"));
            Assert.That(json.GetProperty("jwks_uri").GetString(), Is.EqualTo(TestServerHost.Issuer + "/.well-known/jwks.json"));
            Assert.That(json.GetProperty("token_endpoint_auth_methods_supported")[0].GetString(), Is.EqualTo("private_key_jwt"));
        });
    }

    // The contract offers the key set as application/jwk-set+json (RFC 7517) and application/json.
    [TestCase("application/jwk-set+json", "application/jwk-set+json")]
    [TestCase("application/json", "application/json")]
    [TestCase("application/jwk-set+json, application/json;q=0.5", "application/jwk-set+json")]
    [TestCase(null, "application/json")]
    [TestCase("*/*", "application/json")]
    public async Task The_key_set_is_served_in_both_media_types_of_the_contract(string? accept, string expected)
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/.well-known/jwks.json", accept: accept));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(expected));
            Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("keys").GetArrayLength(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task The_key_set_in_a_media_type_the_contract_does_not_offer_is_406()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/.well-known/jwks.json", accept: "text/html"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotAcceptable));
    }

    [Test]
    public async Task The_key_set_publishes_public_keys_only()
    {
        await using var host = await TestServerHost.StartAsync();
        using var response = await host.Client.GetAsync("/.well-known/jwks.json");
        var text = await response.Content.ReadAsStringAsync();
        var keys = JsonDocument.Parse(text).RootElement.GetProperty("keys");
        Assert.Multiple(() =>
        {
            Assert.That(keys.GetArrayLength(), Is.EqualTo(1));
            Assert.That(keys[0].GetProperty("kty").GetString(), Is.EqualTo("EC"));
            Assert.That(keys[0].TryGetProperty("d", out _), Is.False);
        });
    }

    [Test]
    public async Task A_reporting_only_endpoint_verifies_tokens_with_the_key_set_of_the_endpoint_that_issued_them()
    {
        await using var auth = await TestServerHost.StartAsync(o => o.ImplementedTags = new HashSet<string> { ApiTags.Auth, ApiTags.Orchestration });
        await using var reporting = await TestServerHost.StartAsync(o =>
        {
            o.ImplementedTags = new HashSet<string> { ApiTags.Reporting };
            o.AgentTokens.JwksUri = new Uri("http://localhost/.well-known/jwks.json");
            o.AgentTokens.JwksBackchannelHandler = auth.App.GetTestServer().CreateHandler();
        });
        var assertion = await auth.RegisterInstance(TestServerHost.InstanceA).CreateAsync();
        using var tokenResponse = await auth.Client.PostAsync("/oauth2/token", Form(assertion, scope: "reporting"));
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();

        var request = reporting.Request(HttpMethod.Post, "/engines/telemetry/orders-db/events", token);
        request.Content = new StringContent(ErrorTests.ValidBatch, System.Text.Encoding.UTF8, "application/vnd.databack.events.v1+json");
        using var accepted = await reporting.Client.SendAsync(request);
        using var foreign = await reporting.Client.SendAsync(reporting.Request(HttpMethod.Post, "/engines/telemetry/orders-db/log", reporting.AgentToken(TestServerHost.InstanceA, "reporting")));
        Assert.Multiple(async () =>
        {
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Created), await accepted.Content.ReadAsStringAsync());
            Assert.That(foreign.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the reporting endpoint's own ring is not trusted when a key set URL is configured");
        });
    }

    [Test]
    public async Task With_the_built_in_controller_disabled_an_own_auth_controller_serves_the_tag()
    {
        await using var host = await TestServerHost.StartAsync(o => o.AuthorizationServer.Enabled = false);
        using var response = await host.Client.PostAsync("/oauth2/token", Form("anything"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"access_token\":\"test\""));
    }

    private static async Task AssertOAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), text);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("error").GetString(), Is.EqualTo(error));
        });
    }
}
