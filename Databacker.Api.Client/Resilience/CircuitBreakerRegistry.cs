using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;

namespace Databacker.Api.Client.Resilience;

/// <summary>
/// Keeps the circuit-breaker state of each endpoint (origin) for the whole application. IHttpClientFactory
/// recreates message handlers every few minutes; without a shared registry a breaker would forget an endpoint
/// that keeps failing each time that happens. <c>AddDatabackerClient</c> registers one as a singleton.
/// </summary>
public sealed class CircuitBreakerRegistry
{
    private readonly ConcurrentDictionary<string, CircuitBreaker> _breakers = new(StringComparer.Ordinal);

    /// <summary>The number of endpoints with a breaker.</summary>
    public int Count => _breakers.Count;

    /// <summary>Forgets every breaker, closing all circuits.</summary>
    public void Clear() => _breakers.Clear();

    internal CircuitBreaker GetOrAdd(string origin, Func<string, CircuitBreaker> create)
        => _breakers.GetOrAdd(origin, create);
}

/// <summary>One endpoint's Polly circuit breaker and the provider that reads its state.</summary>
internal sealed record CircuitBreaker(ResiliencePipeline<HttpResponseMessage> Pipeline, CircuitBreakerStateProvider State);
