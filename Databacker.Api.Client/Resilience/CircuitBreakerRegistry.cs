using System.Collections.Concurrent;
using Polly;

namespace Databacker.Api.Client.Resilience;

/// <summary>
/// Keeps the circuit-breaker state of each endpoint (origin) for the whole application. IHttpClientFactory
/// recreates message handlers every few minutes; without a shared registry a breaker would forget an endpoint
/// that keeps failing each time that happens. <c>AddDatabackerClient</c> registers one as a singleton.
/// </summary>
public sealed class CircuitBreakerRegistry
{
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _breakers = new(StringComparer.Ordinal);

    /// <summary>The number of endpoints with a breaker.</summary>
    public int Count => _breakers.Count;

    /// <summary>Forgets every breaker, closing all circuits.</summary>
    public void Clear() => _breakers.Clear();

    internal ResiliencePipeline<HttpResponseMessage> GetOrAdd(string origin, Func<string, ResiliencePipeline<HttpResponseMessage>> create)
        => _breakers.GetOrAdd(origin, create);
}
