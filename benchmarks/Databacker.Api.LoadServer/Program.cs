// Load-test host for benchmarks/load/server-throughput.sh: two Kestrel servers on 127.0.0.1 in one process.
//  - "api":  the databacker runtime (AddDatabackerServer + MapDatabackerServer) with a minimal subclass of the generated
//            orchestration controller; GET /engines/config/{instance} with JWT validation, instance binding, negotiation
//            and the ETag helper.
//  - "bare": a bare Kestrel endpoint answering every request with exactly the bytes and headers the api's 200 has.
//  - reference endpoints on the api (/reference/minimal, /reference/minimal-auth, /reference/mvc + /{instance}) writing
//    the same bytes, to show where the time goes (server-throughput.sh --reference).
// On start it mints an agent token with the runtime's own issuer, fetches one 200 from the api to capture its bytes,
// and writes "key=value" lines (bare, api, path, token, etag) to --ready-file.
using System.Net;
using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Keys;
using Databacker.Api.LoadServer;
using Databacker.Api.Server.Authorization;
using Databacker.Api.Server.DependencyInjection;
using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

const string Instance = "orders-db";
const string Path = "/engines/config/" + Instance;
var readyFile = Argument("--ready-file") ?? throw new ArgumentException("--ready-file FILE is required");

var apiBuilder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
Quiet(apiBuilder);
apiBuilder.Services.AddSingleton<ConfigStore>();
var reference = new ReferenceResponse();
apiBuilder.Services.AddSingleton(reference);
apiBuilder.Services.AddDatabackerServer(o =>
{
    o.AgentTokens.Issuer = "https://controller.load.test";
    o.AgentTokens.TokenLifetime = TimeSpan.FromHours(1);
    o.UserTokens.Issuer = "https://users.load.test";
    o.UserTokens.Audience = "databacker-admin";
    o.ImplementedTags = new HashSet<string> { ApiTags.Orchestration };
    o.AuthorizationServer.Enabled = false;
}).AddApplicationPart(typeof(LoadOrchestrationController).Assembly);
var api = apiBuilder.Build();
api.Services.GetRequiredService<SigningKeyRing>().Add(EcdsaKey.Generate());
api.MapDatabackerServer();

// Reference points (server-throughput.sh --reference), in the same pipeline: a minimal-API endpoint without and with
// the agent scheme and orchestration policy (token, scope, audience, instance binding), and a plain MVC action.
api.MapGet("/reference/minimal/{instance}", reference.WriteAsync).AllowAnonymous();
api.MapGet("/reference/minimal-auth/{instance}", reference.WriteAsync).RequireAuthorization(DatabackerPolicies.Orchestration);
await api.StartAsync();
var apiUrl = Address(api);
var token = api.Services.GetRequiredService<AccessTokenIssuer>().Issue(Instance, "orchestration").AccessToken!;

// The api's own 200, byte for byte, for the bare endpoint.
using var http = new HttpClient();
using var request = new HttpRequestMessage(HttpMethod.Get, apiUrl + Path);
request.Headers.Authorization = new("Bearer", token);
using var sample = await http.SendAsync(request);
if (sample.StatusCode != HttpStatusCode.OK)
{
    throw new InvalidOperationException($"The api answered {(int)sample.StatusCode} to its own token.");
}

var body = await sample.Content.ReadAsByteArrayAsync();
var contentType = sample.Content.Headers.ContentType!.ToString();
var etag = sample.Headers.ETag!.ToString();

var bareBuilder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
Quiet(bareBuilder);
var bare = bareBuilder.Build();
reference.Set(body, contentType, etag);
bare.Run(reference.WriteAsync);
await bare.StartAsync();

await File.WriteAllLinesAsync(readyFile + ".tmp",
[
    "bare=" + Address(bare), "api=" + apiUrl, "path=" + Path, "token=" + token, "etag=" + etag, "bytes=" + body.Length,
]);
File.Move(readyFile + ".tmp", readyFile, overwrite: true);
Console.WriteLine($"ready: api {apiUrl}, bare {Address(bare)}, {body.Length} bytes; Ctrl+C to stop");

// Ctrl+C or SIGTERM: the hosts' console lifetimes signal stopping; wait for it, then stop both.
var stop = new TaskCompletionSource();
api.Lifetime.ApplicationStopping.Register(() => stop.TrySetResult());
bare.Lifetime.ApplicationStopping.Register(() => stop.TrySetResult());
await stop.Task;
await Task.WhenAll(bare.StopAsync(), api.StopAsync());

static void Quiet(WebApplicationBuilder builder)
{
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.ClearProviders();
}

static string Address(WebApplication app) =>
    app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

static string? Argument(string name)
{
    var args = Environment.GetCommandLineArgs();
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
