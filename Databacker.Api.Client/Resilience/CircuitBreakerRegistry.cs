using System.Collections.Concurrent;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Routing;
using Polly;
using Polly.CircuitBreaker;

namespace Databacker.Api.Client.Resilience;

/// <summary>
/// Keeps the circuit-breaker state of each endpoint (origin) for the whole application. IHttpClientFactory
/// recreates message handlers every few minutes; without a shared registry a breaker would forget an endpoint
/// that keeps failing each time that happens. <c>AddDatabackerClient</c> registers one as a singleton, over the
/// client's <see cref="RouteTable"/>.
/// </summary>
public sealed class CircuitBreakerRegistry
{
    private readonly ConcurrentDictionary<string, CircuitBreaker> _breakers = new(StringComparer.Ordinal);
    private readonly RouteTable? _routes;

    /// <summary>Creates a registry that keys each breaker by the origin a request names.</summary>
    public CircuitBreakerRegistry()
    {
    }

    /// <summary>
    /// Creates a registry that keys each breaker by the origin a request is actually sent to: a route that
    /// <paramref name="routes"/> remembers as moved (a partial endpoint's 301) counts against its new origin, so a
    /// failing reporting host that the controller moved reporting to does not open the controller's circuit.
    /// </summary>
    /// <param name="routes">The route table the pipeline's <see cref="RoutingHandler"/> reads.</param>
    public CircuitBreakerRegistry(RouteTable routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _routes = routes;
    }

    /// <summary>The number of endpoints with a breaker.</summary>
    public int Count => _breakers.Count;

    /// <summary>Forgets every breaker, closing all circuits.</summary>
    public void Clear() => _breakers.Clear();

    internal CircuitBreaker GetOrAdd(Uri requestUri, Func<string, CircuitBreaker> create)
    {
        var target = _routes is not null && _routes.TryResolve(requestUri, out var moved) ? moved : requestUri;
        return _breakers.GetOrAdd(Origin.Of(target), create);
    }
}

/// <summary>One endpoint's Polly circuit breaker and the provider that reads its state.</summary>
internal sealed record CircuitBreaker(ResiliencePipeline<HttpResponseMessage> Pipeline, CircuitBreakerStateProvider State);
