namespace Databacker.Api.Client.Resilience;

/// <summary>
/// Gives every logical POST (and PATCH) call one <c>Idempotency-Key</c>, unless the caller set one. It sits outside
/// the <see cref="ResilienceHandler"/>, so every retry and redirect of the call carries the same key, and a server
/// can tell a retry from a new call; that is what makes such a call safe to retry.
/// </summary>
public sealed class IdempotencyHandler : DelegatingHandler
{
    private readonly IdempotencyOptions _options;

    /// <summary>Creates the handler.</summary>
    /// <param name="options">Default options; validated here.</param>
    public IdempotencyHandler(IdempotencyOptions? options = null)
    {
        _options = options ?? new IdempotencyOptions();
        _options.Validate();
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = _options;
        if (request.Options.TryGetValue(IdempotencyOptions.RequestOptionsKey, out var overridden))
        {
            overridden.Validate();
            options = overridden;
        }

        if (options.Enabled && options.Methods.Contains(request.Method) && !request.Headers.Contains(options.HeaderName))
        {
            request.Headers.TryAddWithoutValidation(options.HeaderName, options.KeyFactory());
        }

        return base.SendAsync(request, cancellationToken);
    }
}
