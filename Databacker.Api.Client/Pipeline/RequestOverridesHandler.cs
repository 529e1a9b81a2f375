using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Versioning;

namespace Databacker.Api.Client.Pipeline;

/// <summary>
/// Applies the overrides of a <see cref="DatabackerRequest.With"/> scope, captured on the request by the generated
/// client, as per-request options of the handlers below: for each changed group, a copy of the client's options (or of
/// an override already set on the request) with the scope's changes, under the group's <c>RequestOptionsKey</c>.
/// Outermost in the pipeline; a request without overrides passes through untouched.
/// </summary>
public sealed class RequestOverridesHandler : DelegatingHandler
{
    private readonly ResilienceOptions _resilience;
    private readonly RoutingOptions _routing;
    private readonly IdempotencyOptions _idempotency;
    private readonly MediaTypeOptions _mediaTypes;

    /// <summary>Creates the handler over the options the client's handlers were built with.</summary>
    /// <param name="resilience">The resilience handler's options.</param>
    /// <param name="routing">The routing handler's options.</param>
    /// <param name="idempotency">The idempotency handler's options.</param>
    /// <param name="mediaTypes">The media type handler's options.</param>
    public RequestOverridesHandler(ResilienceOptions resilience, RoutingOptions routing, IdempotencyOptions idempotency, MediaTypeOptions mediaTypes)
    {
        _resilience = resilience ?? throw new ArgumentNullException(nameof(resilience));
        _routing = routing ?? throw new ArgumentNullException(nameof(routing));
        _idempotency = idempotency ?? throw new ArgumentNullException(nameof(idempotency));
        _mediaTypes = mediaTypes ?? throw new ArgumentNullException(nameof(mediaTypes));
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Options.TryGetValue(PipelineOptionKeys.Overrides, out var overrides))
        {
            Apply(request, overrides);
        }

        return base.SendAsync(request, cancellationToken);
    }

    private void Apply(HttpRequestMessage request, DatabackerRequestOverrides overrides)
    {
        if (overrides.Resilience is not null || overrides.Timeout is not null)
        {
            var resilience = Base(request, ResilienceOptions.RequestOptionsKey, _resilience).Clone();
            overrides.Resilience?.Invoke(resilience);
            if (overrides.Timeout is { } timeout)
            {
                resilience.TotalTimeout = timeout;
                resilience.AttemptTimeout = resilience.AttemptTimeout > timeout ? timeout : resilience.AttemptTimeout;
            }

            request.Options.Set(ResilienceOptions.RequestOptionsKey, resilience);
        }

        if (overrides.Routing is { } routing)
        {
            var copy = Base(request, RoutingOptions.RequestOptionsKey, _routing).Clone();
            routing(copy);
            request.Options.Set(RoutingOptions.RequestOptionsKey, copy);
        }

        if (overrides.Idempotency is { } idempotency)
        {
            var copy = Base(request, IdempotencyOptions.RequestOptionsKey, _idempotency).Clone();
            idempotency(copy);
            request.Options.Set(IdempotencyOptions.RequestOptionsKey, copy);
        }

        if (overrides.MediaTypes is { } mediaTypes)
        {
            var copy = Base(request, MediaTypeOptions.RequestOptionsKey, _mediaTypes).Clone();
            mediaTypes(copy);
            request.Options.Set(MediaTypeOptions.RequestOptionsKey, copy);
        }
    }

    private static T Base<T>(HttpRequestMessage request, HttpRequestOptionsKey<T> key, T configured) =>
        request.Options.TryGetValue(key, out var set) && set is not null ? set : configured;
}
