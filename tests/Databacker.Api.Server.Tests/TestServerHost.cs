using System.Net.Http.Headers;
using System.Security.Cryptography;
using Databacker.Api.Auth.ClientAssertions;
using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Auth.Validation;
using Databacker.Api.Server.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Databacker.Api.Server.Tests;

/// <summary>A databacker server on the ASP.NET Core test host, with the test controllers, a signing key and a user authority key.</summary>
internal sealed class TestServerHost : IAsyncDisposable
{
    public const string Issuer = "https://controller.test";
    public const string UserIssuer = "https://users.test";
    public const string UserAudience = "databacker-admin";
    public const string InstanceA = "orders-db";
    public const string InstanceB = "billing-db";

    private static readonly ECDsa UserAuthorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsaSecurityKey UserSecurityKey = new(UserAuthorityKey) { KeyId = "user-authority" };

    private TestServerHost(WebApplication app, InMemoryInstanceKeyStore keyStore)
    {
        App = app;
        KeyStore = keyStore;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public InMemoryInstanceKeyStore KeyStore { get; }

    public static async Task<TestServerHost> StartAsync(Action<DatabackerServerOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        // Both test instances exist, as a controller's tokens are honoured only for instances that still have keys.
        var keyStore = new InMemoryInstanceKeyStore();
        foreach (var instance in new[] { InstanceA, InstanceB })
        {
            using var key = EcdsaKey.Generate();
            keyStore.Add(instance, new RegisteredInstanceKey(key.KeyId, key.ToPublicJwk()));
        }

        builder.Services.AddSingleton<IInstanceKeyStore>(keyStore);
        builder.Services
            .AddDatabackerServer(options =>
            {
                options.AgentTokens.Issuer = Issuer;
                options.UserTokens.Issuer = UserIssuer;
                options.UserTokens.Audience = UserAudience;
                options.UserTokens.SigningKeys.Add(UserSecurityKey);
                configure?.Invoke(options);
            })
            .AddApplicationPart(typeof(TestServerHost).Assembly);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        var ring = app.Services.GetRequiredService<SigningKeyRing>();
        if (ring.GetStatus().Count == 0)
        {
            ring.Add(EcdsaKey.Generate());
        }

        app.MapDatabackerServer();
        await app.StartAsync();
        return new TestServerHost(app, keyStore);
    }

    /// <summary>An agent token as this controller's token endpoint would issue it.</summary>
    public string AgentToken(string instance, string scope) =>
        App.Services.GetRequiredService<AccessTokenIssuer>().Issue(instance, scope).AccessToken!;

    /// <summary>An end-user token from the external authority.</summary>
    public static string UserToken(string scope = "admin", string issuer = UserIssuer, string audience = UserAudience) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Expires = DateTime.UtcNow.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = "alice", ["scope"] = scope },
            SigningCredentials = new SigningCredentials(UserSecurityKey, SecurityAlgorithms.EcdsaSha256),
        });

    public HttpRequestMessage Request(HttpMethod method, string path, string? token = null, string? accept = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return request;
    }

    /// <summary>Registers a key for an instance and returns a factory of assertions signed with it.</summary>
    public ClientAssertionFactory RegisterInstance(string instance)
    {
        var key = EcdsaKey.Generate();
        KeyStore.Add(instance, new RegisteredInstanceKey(key.KeyId, key.ToPublicJwk()));
        return new ClientAssertionFactory(new PemStringKeySource(key.ExportPkcs8PrivateKeyPem()),
            Options.Create(new ClientAssertionOptions { InstanceId = instance, Audience = Issuer }));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}

internal sealed class InMemoryInstanceKeyStore : IInstanceKeyStore
{
    private readonly Dictionary<string, List<RegisteredInstanceKey>> _keys = new(StringComparer.Ordinal);

    public void Add(string instance, RegisteredInstanceKey key)
    {
        lock (_keys)
        {
            if (!_keys.TryGetValue(instance, out var list))
            {
                _keys[instance] = list = [];
            }

            list.Add(key);
        }
    }

    public void Remove(string instance, string? keyId = null)
    {
        lock (_keys)
        {
            if (keyId is null)
            {
                _keys.Remove(instance);
            }
            else if (_keys.TryGetValue(instance, out var list))
            {
                list.RemoveAll(k => k.KeyId == keyId);
            }
        }
    }

    public ValueTask<IReadOnlyList<RegisteredInstanceKey>> GetKeysAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        lock (_keys)
        {
            return ValueTask.FromResult<IReadOnlyList<RegisteredInstanceKey>>(_keys.TryGetValue(instanceId, out var list) ? [.. list] : []);
        }
    }
}
