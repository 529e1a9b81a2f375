using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Versioning;

namespace Databacker.Api.Client.Tests.Support;

internal static class TestPipelines
{
    public static SocketsHttpHandler Primary() => new() { AllowAutoRedirect = false, Expect100ContinueTimeout = TimeSpan.FromSeconds(2) };

    public static TokenOptions TokenOptionsFor(Uri issuer) => new() { Issuer = issuer, ClientId = "instance-1" };

    public static AccessTokenProvider Tokens(Uri issuer, FakeAssertions assertions, TimeProvider? time = null, TokenOptions? options = null)
    {
        options ??= TokenOptionsFor(issuer);
        var client = new TokenClient(new HttpClient(Primary()), options, assertions, time);
        return new AccessTokenProvider(client, options, time);
    }

    public static HttpClient Client(
        HttpMessageHandler? primary = null,
        RoutingHandler? routing = null,
        AccessTokenHandler? auth = null,
        ResilienceHandler? resilience = null,
        IdempotencyHandler? idempotency = null,
        MediaTypeHandler? mediaTypes = null) =>
        new(DatabackerPipeline.Compose(primary ?? Primary(), idempotency, resilience, routing, auth, mediaTypes));

    public static RoutingHandler Routing(TrustedOriginRegistry trusted, RoutingOptions? options = null, RouteTable? routes = null) =>
        new(options ?? new RoutingOptions(), routes ?? new RouteTable(), trusted);

    public static ResilienceOptions FastResilience() => new()
    {
        MaxRetryAttempts = 3,
        BaseDelay = TimeSpan.FromMilliseconds(1),
        MaxDelay = TimeSpan.FromMilliseconds(5),
        AttemptTimeout = TimeSpan.FromSeconds(10),
        TotalTimeout = TimeSpan.FromSeconds(30),
    };
}
