using System.Net;
using System.Text.Json;
using Databacker.Api.Auth.ClientAssertions;
using Databacker.Api.Auth.Issuance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Databacker.Api.Server.Tests;

/// <summary>Removing an instance's key, or the instance, ends the agent tokens obtained with it (openapi: RemoveKey, DeleteInstance).</summary>
public sealed class KeyRemovalTests
{
    private const string ConfigPath = "/engines/config/" + TestServerHost.InstanceA;

    private static async Task<(string Token, string KeyId)> ObtainTokenAsync(TestServerHost host)
    {
        var assertion = await host.RegisterInstance(TestServerHost.InstanceA).CreateAsync();
        using var response = await host.Client.PostAsync("/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_assertion_type"] = ClientAssertionConstants.AssertionType,
            ["client_assertion"] = assertion,
            ["scope"] = "orchestration",
        }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        Assert.That(new JsonWebToken(token).TryGetPayloadValue<string>(AccessTokenIssuer.InstanceKeyIdClaim, out var keyId), Is.True, "the token names its key");
        return (token, keyId);
    }

    private static async Task<HttpStatusCode> GetConfigAsync(TestServerHost host, string token)
    {
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigPath, token));
        return response.StatusCode;
    }

    [Test]
    public async Task A_token_obtained_with_a_removed_key_is_refused_while_one_obtained_with_another_key_still_works()
    {
        await using var host = await TestServerHost.StartAsync(o => o.AgentTokens.ValidationCacheDuration = TimeSpan.Zero);
        var (removed, removedKey) = await ObtainTokenAsync(host);
        var (kept, _) = await ObtainTokenAsync(host);
        Assert.That(await GetConfigAsync(host, removed), Is.EqualTo(HttpStatusCode.OK), "accepted while its key is registered");

        host.KeyStore.Remove(TestServerHost.InstanceA, removedKey);

        Assert.Multiple(async () =>
        {
            Assert.That(await GetConfigAsync(host, removed), Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await GetConfigAsync(host, kept), Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task A_remembered_validation_ends_with_its_memory_and_then_the_removed_key_is_noticed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestServerHost.StartAsync(
            o => o.AgentTokens.ValidationCacheDuration = TimeSpan.FromMinutes(1),
            services => services.AddSingleton<TimeProvider>(time));
        var (token, keyId) = await ObtainTokenAsync(host);
        Assert.That(await GetConfigAsync(host, token), Is.EqualTo(HttpStatusCode.OK));

        host.KeyStore.Remove(TestServerHost.InstanceA, keyId);
        var remembered = await GetConfigAsync(host, token);
        time.Advance(TimeSpan.FromSeconds(61));
        var lapsed = await GetConfigAsync(host, token);

        Assert.Multiple(() =>
        {
            Assert.That(remembered, Is.EqualTo(HttpStatusCode.OK), "within the remembered validation (documented: about a minute)");
            Assert.That(lapsed, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task A_token_of_a_deleted_instance_is_refused_even_when_it_names_no_key()
    {
        await using var host = await TestServerHost.StartAsync(o => o.AgentTokens.ValidationCacheDuration = TimeSpan.Zero);
        var token = host.AgentToken(TestServerHost.InstanceA, "orchestration");
        Assert.That(new JsonWebToken(token).TryGetPayloadValue<string>(AccessTokenIssuer.InstanceKeyIdClaim, out _), Is.False);
        Assert.That(await GetConfigAsync(host, token), Is.EqualTo(HttpStatusCode.OK));

        host.KeyStore.Remove(TestServerHost.InstanceA);

        Assert.That(await GetConfigAsync(host, token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_key_store_that_cannot_answer_gives_a_503_to_retry_not_a_401_and_not_a_silent_pass()
    {
        var store = new FlakyStore { Down = true };
        await using var host = await TestServerHost.StartAsync(
            o => o.AgentTokens.ValidationCacheDuration = TimeSpan.FromMinutes(1),
            services => services.AddSingleton<Databacker.Api.Auth.Validation.IInstanceKeyStore>(store));
        store.Keys = host.KeyStore;
        var token = host.AgentToken(TestServerHost.InstanceA, "orchestration");

        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigPath, token));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), await response.Content.ReadAsStringAsync());
            Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        });
    }

    [Test]
    public async Task A_key_found_registered_lately_is_trusted_while_the_store_cannot_answer_for_ten_minutes_and_no_longer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FlakyStore();
        await using var host = await TestServerHost.StartAsync(
            o => o.AgentTokens.ValidationCacheDuration = TimeSpan.FromMinutes(1),
            services =>
            {
                services.AddSingleton<TimeProvider>(time);
                services.AddSingleton<Databacker.Api.Auth.Validation.IInstanceKeyStore>(store);
            });
        store.Keys = host.KeyStore;
        var token = host.AgentToken(TestServerHost.InstanceA, "orchestration");
        Assert.That(await GetConfigAsync(host, token), Is.EqualTo(HttpStatusCode.OK), "found registered");

        store.Down = true;
        time.Advance(TimeSpan.FromMinutes(2)); // past the remembered validation
        var during = await GetConfigAsync(host, token);
        var again = await GetConfigAsync(host, token);
        var asked = store.Calls;
        time.Advance(TimeSpan.FromMinutes(9));
        var after = await GetConfigAsync(host, token);

        Assert.Multiple(() =>
        {
            Assert.That((during, again), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)));
            Assert.That(asked, Is.EqualTo(3), "an unanswered check is not remembered: asked again on every request");
            Assert.That(after, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "beyond the grace period");
        });
    }

    [Test]
    public async Task A_key_found_removed_is_not_trusted_again_when_the_store_then_fails()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FlakyStore();
        await using var host = await TestServerHost.StartAsync(
            o => o.AgentTokens.ValidationCacheDuration = TimeSpan.Zero,
            services =>
            {
                services.AddSingleton<TimeProvider>(time);
                services.AddSingleton<Databacker.Api.Auth.Validation.IInstanceKeyStore>(store);
            });
        store.Keys = host.KeyStore;
        var token = host.AgentToken(TestServerHost.InstanceA, "orchestration");
        Assert.That(await GetConfigAsync(host, token), Is.EqualTo(HttpStatusCode.OK));
        host.KeyStore.Remove(TestServerHost.InstanceA);
        Assert.That(await GetConfigAsync(host, token), Is.EqualTo(HttpStatusCode.Unauthorized));

        store.Down = true;
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.That(await GetConfigAsync(host, token), Is.EqualTo(HttpStatusCode.ServiceUnavailable), "never trusted again");
    }

    [Test]
    public async Task The_503_does_not_depend_on_the_agent_schemes_events()
    {
        var store = new FlakyStore { Down = true };
        await using var host = await TestServerHost.StartAsync(
            o => o.AgentTokens.ValidationCacheDuration = TimeSpan.FromMinutes(1),
            services =>
            {
                services.AddSingleton<Databacker.Api.Auth.Validation.IInstanceKeyStore>(store);
                services.PostConfigure<Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions>(
                    Databacker.Api.Server.Authentication.DatabackerAuthenticationSchemes.Agent,
                    o => o.Events = new Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerEvents());
            });
        store.Keys = host.KeyStore;

        var status = await GetConfigAsync(host, host.AgentToken(TestServerHost.InstanceA, "orchestration"));
        var bad = await GetConfigAsync(host, host.AgentToken(TestServerHost.InstanceA, "orchestration") + "x");

        Assert.That((status, bad), Is.EqualTo((HttpStatusCode.ServiceUnavailable, HttpStatusCode.Unauthorized)), "a bad token is still a 401");
    }

    private sealed class FlakyStore : Databacker.Api.Auth.Validation.IInstanceKeyStore
    {
        private int _calls;

        public bool Down { get; set; }

        public Databacker.Api.Auth.Validation.IInstanceKeyStore? Keys { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<IReadOnlyList<Databacker.Api.Auth.Validation.RegisteredInstanceKey>> GetKeysAsync(string instanceId, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return Down ? throw new TimeoutException("the database did not answer") : Keys!.GetKeysAsync(instanceId, cancellationToken);
        }
    }
}
