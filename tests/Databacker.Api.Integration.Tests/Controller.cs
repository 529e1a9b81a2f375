using System.Net;
using System.Net.Sockets;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Validation;
using Databacker.Api.Server.DependencyInjection;
using Databacker.Api.Server.Reporting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Databacker.Api.Integration.Tests;

/// <summary>A real controller on Kestrel, 127.0.0.1, with the library's token endpoint and in-memory stores.</summary>
public sealed class Controller : IAsyncDisposable
{
    private WebApplication? _app;

    private Controller(int port, long logBodyLimit)
    {
        Port = port;
        LogBodyLimit = logBodyLimit;
    }

    public int Port { get; }

    public long LogBodyLimit { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public InMemoryReportingStore Store { get; } = new();

    public KeyStore Keys { get; } = new();

    public static async Task<Controller> StartAsync(long logBodyLimit = 16 * 1024 * 1024, int? port = null)
    {
        var controller = new Controller(port ?? FreePort(), logBodyLimit);
        await controller.StartAsync();
        return controller;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls(BaseAddress.ToString().TrimEnd('/'));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IInstanceKeyStore>(Keys);
        builder.Services.AddSingleton(Store);
        builder.Services.AddSingleton(new NdjsonLogReader(new NdjsonLogReaderOptions { MaxBodyBytes = LogBodyLimit }));
        builder.Services
            .AddDatabackerServer(o =>
            {
                o.AgentTokens.Issuer = BaseAddress.ToString().TrimEnd('/');
                o.UserTokens.Issuer = "https://users.example";
                o.UserTokens.Audience = "databacker-admin";
                o.UserTokens.SigningKeys.Add(new Microsoft.IdentityModel.Tokens.ECDsaSecurityKey(System.Security.Cryptography.ECDsa.Create()));
                o.RequestBodyLimits.Operations["Reporting_PostLogs"] = LogBodyLimit;
            })
            .AddApplicationPart(typeof(Controller).Assembly);
        _app = builder.Build();
        _app.Services.GetRequiredService<SigningKeyRing>().Add(EcdsaKey.Generate());
        _app.MapDatabackerServer();
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Registered instance keys, looked up by instance id only.</summary>
    public sealed class KeyStore : IInstanceKeyStore
    {
        private readonly Dictionary<string, List<RegisteredInstanceKey>> _keys = [];

        public void Add(string instance, EcdsaKey key)
        {
            lock (_keys)
            {
                if (!_keys.TryGetValue(instance, out var list))
                {
                    _keys[instance] = list = [];
                }

                list.Add(new RegisteredInstanceKey(key.KeyId, key.ToPublicJwk()));
            }
        }

        public ValueTask<IReadOnlyList<RegisteredInstanceKey>> GetKeysAsync(string instanceId, CancellationToken cancellationToken = default)
        {
            lock (_keys)
            {
                return ValueTask.FromResult<IReadOnlyList<RegisteredInstanceKey>>(_keys.TryGetValue(instanceId, out var list) ? list.ToList() : []);
            }
        }
    }
}
