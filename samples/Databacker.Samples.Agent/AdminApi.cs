using Databacker.Api.Client;
using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Versioning;

namespace Databacker.Samples;

/// <summary>
/// An <see cref="AdministrationClient"/> for an operator: the SDK's pipeline (idempotency keys, retries, routing,
/// media types) with the operator's administrator token as the end user's token (<see cref="UserTokenHandler"/>), never an agent token. Shared by the agent's
/// <c>register</c> command, the demo and the end-to-end tests.
/// </summary>
internal sealed class AdminApi : IDisposable
{
    private readonly HttpClient _http;

    private AdminApi(HttpClient http, AdministrationClient client)
    {
        _http = http;
        Client = client;
    }

    /// <summary>The administration client.</summary>
    public AdministrationClient Client { get; }

    /// <summary>Creates a client for <paramref name="controller"/> that sends <paramref name="adminToken"/>.</summary>
    public static AdminApi Create(Uri controller, string adminToken)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentException.ThrowIfNullOrWhiteSpace(adminToken);
        var baseAddress = controller.AbsolutePath.EndsWith('/') ? controller : new Uri(controller + "/");
        var trusted = new TrustedOriginRegistry([baseAddress]);
        var pipeline = DatabackerPipeline.Compose(
            DatabackerPipeline.CreatePrimaryHandler(),
            new IdempotencyHandler(),
            new ResilienceHandler(new ResilienceOptions { MaxRetryAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(200), AttemptTimeout = TimeSpan.FromSeconds(15), TotalTimeout = TimeSpan.FromSeconds(40) }),
            new RoutingHandler(new RoutingOptions(), new RouteTable(), trusted),
            new UserTokenHandler(new StaticUserTokenSource(adminToken), trusted),
            new MediaTypeHandler());
        var http = new HttpClient(pipeline)
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new AdminApi(http, new AdministrationClient(http));
    }

    /// <summary>Reads the administrator token from <paramref name="path"/> (as the controller's <c>--admin-token-file</c> wrote it).</summary>
    public static string ReadToken(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the admin token file '{Path.GetFullPath(path)}' does not exist", path);
        }

        var token = File.ReadAllText(path).Trim();
        return token.Length > 0 ? token : throw new InvalidDataException($"the admin token file '{Path.GetFullPath(path)}' is empty");
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
