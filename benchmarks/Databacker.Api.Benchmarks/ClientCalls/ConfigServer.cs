using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Databacker.Api.Benchmarks.ClientCalls;

/// <summary>
/// A Kestrel server on 127.0.0.1 that plays the controller for the client benchmarks: RFC 8414 metadata, the discovery document, a token
/// endpoint that counts its requests, and <c>GET /engines/config/{instance}</c> answering a fixed configuration
/// document with its vendor media type to any bearer token (401 without one). Every answer is precomputed bytes, so
/// the server costs the same for every client measured against it.
/// </summary>
public sealed class ConfigServer : IAsyncDisposable
{
    /// <summary>The instance whose configuration is served.</summary>
    public const string InstanceId = "bench-instance";

    /// <summary>The media type of the configuration document.</summary>
    public const string ConfigMediaType = "application/vnd.databack.device-config.v1+json";

    /// <summary>The configuration document served (the contract's example, a local configuration).</summary>
    public const string ConfigJson = """
        {"version":"config.databack.io/v1","kind":"local","metadata":{"name":"orders-db","description":"Nightly backup of the orders database"},"spec":{"logging":"info","database":{"server":"db.internal.example.com","port":3306,"credentials":{"username":"backup","password":"change-me"}},"dump":{"include":["orders"],"compression":"gzip","schedule":{"cron":"0 2 * * *"},"targets":["offsite"]},"targets":{"offsite":{"type":"s3","url":"s3://backups/orders","spec":{"region":"eu-west-1","accessKeyID":"AKIAEXAMPLE","secretAccessKey":"example-secret"}}}}}
        """;

    private static readonly byte[] ConfigBytes = Encoding.UTF8.GetBytes(ConfigJson);

    private readonly WebApplication _app;
    private readonly bool _recordTokens;
    private ConcurrentDictionary<string, byte> _tokensSeen = new(StringComparer.Ordinal);
    private int _tokenRequests;
    private int _configRequests;

    private ConfigServer(WebApplication app, int tokenLifetimeSeconds, bool recordTokens)
    {
        _app = app;
        _recordTokens = recordTokens;
        TokenLifetimeSeconds = tokenLifetimeSeconds;
    }

    /// <summary>The server's base address, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The <c>expires_in</c> of the tokens issued.</summary>
    public int TokenLifetimeSeconds { get; }

    /// <summary>How many token requests were answered.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>How many configuration requests were answered with the document.</summary>
    public int ConfigRequests => Volatile.Read(ref _configRequests);

    /// <summary>Starts the server on a free loopback port.</summary>
    /// <param name="tokenLifetimeSeconds">The lifetime of the tokens issued.</param>
    /// <param name="recordTokens">Whether to record the bearer tokens presented (see <see cref="TakeTokensSeen"/>).</param>
    public static async Task<ConfigServer> StartAsync(int tokenLifetimeSeconds = 3600, bool recordTokens = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ConfigServer(app, tokenLifetimeSeconds, recordTokens);
        server.Map(app);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>The distinct bearer tokens presented since the last call, when recording.</summary>
    public IReadOnlyCollection<string> TakeTokensSeen() => Interlocked.Exchange(ref _tokensSeen, new(StringComparer.Ordinal)).Keys.ToArray();

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/.well-known/oauth-authorization-server", (HttpContext http) =>
        {
            var issuer = BaseAddress.GetLeftPart(UriPartial.Authority);
            return Results.Text($$"""{"issuer":"{{issuer}}","token_endpoint":"{{issuer}}/token"}""", "application/json");
        });

        app.MapPost("/token", () =>
        {
            var n = Interlocked.Increment(ref _tokenRequests);
            return Results.Text($$"""{"access_token":"bench-token-{{n}}","token_type":"Bearer","expires_in":{{TokenLifetimeSeconds}}}""", "application/json");
        });

        // Discovery, as a real controller serves it (the sample controller does): the orchestration URL is this server
        // and the configuration URL its own path, so the SDK routes every call through its discovery handler.
        app.MapGet("/engines/endpoints/{instance}", (HttpContext http, string instance) =>
        {
            var self = BaseAddress.GetLeftPart(UriPartial.Authority);
            return Results.Text(
                $$"""{"services":["scheduling","reporting"],"orchestrationUrl":"{{self}}/","configUrl":"{{self}}/engines/config/{{instance}}","expiresIn":3600}""",
                "application/vnd.databack.endpoints.v1+json");
        });

        app.MapGet("/engines/config/{instance}", async (HttpContext http, string instance) =>
        {
            var authorization = http.Request.Headers.Authorization.ToString();
            if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || instance != InstanceId)
            {
                http.Response.StatusCode = authorization.Length == 0 ? 401 : 404;
                return;
            }

            Interlocked.Increment(ref _configRequests);
            if (_recordTokens)
            {
                _tokensSeen.TryAdd(authorization["Bearer ".Length..], 0);
            }

            http.Response.StatusCode = 200;
            http.Response.ContentType = ConfigMediaType;
            http.Response.ContentLength = ConfigBytes.Length;
            http.Response.Headers.ETag = "\"bench-1\"";
            await http.Response.Body.WriteAsync(ConfigBytes, http.RequestAborted).ConfigureAwait(false);
        });
    }
}
