using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Versioning;

namespace Databacker.Api.Client.Pipeline;

/// <summary>
/// The fixed order of the client's HTTP pipeline, and the checks its primary handler must pass.
/// </summary>
/// <remarks>
/// <para>From the outside in:</para>
/// <list type="number">
/// <item><see cref="RequestOverridesHandler"/>: turns the overrides of a <see cref="DatabackerRequest.With"/> scope into
/// per-request options of the handlers below.</item>
/// <item><see cref="IdempotencyHandler"/>: gives a POST one <c>Idempotency-Key</c> per logical call, so every retry
/// and redirect below carries the same key.</item>
/// <item><see cref="ResilienceHandler"/>: total timeout, retries with backoff and <c>Retry-After</c>, a circuit
/// breaker per authority, attempt timeout. Outermost so that a retry re-runs routing (which then uses remembered
/// routes) and authentication (which then attaches a fresh token).</item>
/// <item><see cref="RoutingHandler"/>: follows and remembers moves, maps 410/404 to typed errors, strips
/// credentials for untrusted origins. Above authentication so that every hop is authenticated for its own origin.</item>
/// <item><see cref="AccessTokenHandler"/> (the instance's token) or <see cref="UserTokenHandler"/> (an end user's, for
/// administration): attaches the bearer token per hop (trusted origins only) and owns 401; a 401 resend stays inside
/// one routing hop.</item>
/// <item><see cref="MediaTypeHandler"/>: closest to the wire so that it sees the exact media type of every
/// response; 406 and unexpected types become typed errors, which are not retried.</item>
/// <item>The primary handler, with automatic redirects off.</item>
/// </list>
/// </remarks>
public static class DatabackerPipeline
{
    /// <summary>
    /// A primary handler suitable for the pipeline: automatic redirects off, pooled connections recycled, and entity
    /// tags sent back byte for byte (an ETag may hold non-ASCII bytes, RFC 9110 obs-text, which .NET reads as Latin-1
    /// and would refuse to send).
    /// </summary>
    /// <returns>A new <see cref="SocketsHttpHandler"/>.</returns>
    public static SocketsHttpHandler CreatePrimaryHandler() => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        Expect100ContinueTimeout = TimeSpan.FromSeconds(2),
        RequestHeaderEncodingSelector = static (name, _) =>
            string.Equals(name, "If-None-Match", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "If-Match", StringComparison.OrdinalIgnoreCase)
                ? EntityTagEncoding
                : null,
    };

    // Latin-1 that refuses what it cannot encode: a character beyond U+00FF in an ETag the caller made up is an error,
    // not a '?' that could match another representation.
    private static readonly System.Text.Encoding EntityTagEncoding = System.Text.Encoding.GetEncoding(
        "iso-8859-1", System.Text.EncoderFallback.ExceptionFallback, System.Text.DecoderFallback.ExceptionFallback);

    /// <summary>
    /// Fails if the primary handler at the bottom of <paramref name="handler"/> follows redirects by itself, which
    /// would turn a 301 on POST into a body-less GET, drop the bearer token and hide the move from the
    /// <see cref="RoutingHandler"/>. Call it at start-up.
    /// </summary>
    /// <param name="handler">The primary handler, or the outermost handler of a chain over it.</param>
    /// <exception cref="InvalidOperationException">Automatic redirects are on.</exception>
    public static void EnsureAutomaticRedirectsDisabled(HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var primary = handler;
        while (primary is DelegatingHandler { InnerHandler: { } inner })
        {
            primary = inner;
        }

        var follows = primary switch
        {
            SocketsHttpHandler sockets => sockets.AllowAutoRedirect,
            HttpClientHandler client => client.AllowAutoRedirect,
            _ => false,
        };

        if (follows)
        {
            throw new InvalidOperationException(
                $"The primary HTTP handler ({primary.GetType().Name}) has AllowAutoRedirect on. The databacker client follows redirects itself " +
                "(the API's routing rules need the same method, body and credentials checks on every hop); set AllowAutoRedirect = false.");
        }
    }

    /// <summary>
    /// Chains the given handlers over <paramref name="primary"/> in the documented order, skipping the ones that are
    /// <see langword="null"/>, after checking that the primary handler does not follow redirects.
    /// </summary>
    /// <param name="primary">The primary handler.</param>
    /// <param name="idempotency">The idempotency handler, outermost.</param>
    /// <param name="resilience">The resilience handler.</param>
    /// <param name="routing">The routing handler.</param>
    /// <param name="authentication">The bearer-token handler: an <see cref="AccessTokenHandler"/>, or a <see cref="UserTokenHandler"/> for administration.</param>
    /// <param name="mediaTypes">The media type handler, innermost.</param>
    /// <param name="overrides">The handler applying <see cref="DatabackerRequest.With"/> scopes, outermost.</param>
    /// <returns>The outermost handler, to pass to <see cref="HttpClient(HttpMessageHandler)"/>.</returns>
    public static HttpMessageHandler Compose(
        HttpMessageHandler primary,
        IdempotencyHandler? idempotency = null,
        ResilienceHandler? resilience = null,
        RoutingHandler? routing = null,
        DelegatingHandler? authentication = null,
        MediaTypeHandler? mediaTypes = null,
        RequestOverridesHandler? overrides = null)
    {
        EnsureAutomaticRedirectsDisabled(primary);
        var outer = primary;
        foreach (var handler in new DelegatingHandler?[] { mediaTypes, authentication, routing, resilience, idempotency, overrides })
        {
            if (handler is not null)
            {
                handler.InnerHandler = outer;
                outer = handler;
            }
        }

        return outer;
    }
}
