using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Versioning;

namespace Databacker.Api.Client.Pipeline;

/// <summary>
/// What a <see cref="DatabackerRequest.With"/> scope changes for the calls made in it. Each callback receives a copy of
/// the client's configured options (so everything not changed keeps its configured value); the configured options
/// themselves are never modified.
/// </summary>
/// <remarks>
/// In a nested scope the outer scope's values are already set when the inner scope's callback runs: assign to replace
/// them, or use <c>+=</c> on a callback to add to the outer one.
/// </remarks>
public sealed class DatabackerRequestOverrides
{
    /// <summary>
    /// The time limit of the call to the API, retries and delays included (<see cref="ResilienceOptions.TotalTimeout"/>);
    /// the attempt timeout is shortened to it when longer. Applied after <see cref="Resilience"/>. A wait for the
    /// discovery document counts too: the call stops waiting at this limit (the fetch, shared with other callers, goes on
    /// under the client's configured timeouts) and has only what is left for the rest. Not included: after a
    /// <c>410 Gone</c>, the one resend to the place a refreshed document names, which gets this limit afresh.
    /// Cancel the call's token for a hard limit on everything.
    /// </summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Changes retries, timeouts and <c>Retry-After</c> handling (not the circuit breakers, which belong to the client).</summary>
    public Action<ResilienceOptions>? Resilience { get; set; }

    /// <summary>Changes redirect handling, e.g. <see cref="RoutingOptions.CrossOriginRedirects"/>.</summary>
    public Action<RoutingOptions>? Routing { get; set; }

    /// <summary>Changes <c>Idempotency-Key</c> generation, e.g. a <see cref="IdempotencyOptions.KeyFactory"/> returning a key you persisted.</summary>
    public Action<IdempotencyOptions>? Idempotency { get; set; }

    /// <summary>Changes the media type checks, e.g. asking for a newer version with <see cref="MediaTypeOptions.Accept"/>.</summary>
    public Action<MediaTypeOptions>? MediaTypes { get; set; }

    // A non-vendor Accept that replaces the one the generated operation sends, for an operation that offers another format
    // (the run log as text); set by the SDK's own extensions, never by a caller.
    internal string? AcceptMediaType { get; set; }

    internal DatabackerRequestOverrides Copy() => (DatabackerRequestOverrides)MemberwiseClone();
}
