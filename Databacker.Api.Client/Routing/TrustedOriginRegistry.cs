using System.Collections.Concurrent;
using Databacker.Api.Client.Pipeline;

namespace Databacker.Api.Client.Routing;

/// <summary>
/// The origins (scheme, host and port) that may receive credentials: the bearer token and any custom credential
/// header. It starts with the configured orchestration origin and the ones the user adds; the discovery step adds
/// the reporting origins named by the discovery document at run time through <see cref="Add"/>. Thread-safe.
/// </summary>
/// <remarks>
/// The same instance must be shared by the <see cref="RoutingHandler"/> and the
/// <see cref="Authentication.AccessTokenHandler"/> of a pipeline, so both take the same decision for every hop.
/// </remarks>
public sealed class TrustedOriginRegistry
{
    private readonly ConcurrentDictionary<string, Uri> _origins = new(StringComparer.Ordinal);

    /// <summary>Creates a registry that trusts the origins of <paramref name="origins"/>.</summary>
    /// <param name="origins">Absolute URIs; only their scheme, host and port count.</param>
    public TrustedOriginRegistry(IEnumerable<Uri>? origins = null)
    {
        foreach (var origin in origins ?? [])
        {
            Add(origin);
        }
    }

    /// <summary>The trusted origins, as absolute URIs without path.</summary>
    public IReadOnlyCollection<Uri> Origins => _origins.Values.ToArray();

    /// <summary>Trusts the origin of <paramref name="uri"/> from now on.</summary>
    /// <param name="uri">An absolute http or https URI; only its scheme, host and port count.</param>
    /// <returns><see langword="true"/> if the origin was not trusted before.</returns>
    /// <exception cref="ArgumentException">The URI is relative or not http(s).</exception>
    public bool Add(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"A trusted origin must be an absolute http or https URI, not '{uri}'.", nameof(uri));
        }

        return _origins.TryAdd(Origin.Of(uri), new Uri(uri.GetLeftPart(UriPartial.Authority)));
    }

    /// <summary>Stops trusting the origin of <paramref name="uri"/>.</summary>
    /// <param name="uri">An absolute URI.</param>
    /// <returns><see langword="true"/> if the origin was trusted.</returns>
    public bool Remove(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsAbsoluteUri && _origins.TryRemove(Origin.Of(uri), out _);
    }

    /// <summary>Whether credentials may be sent to the origin of <paramref name="uri"/>.</summary>
    /// <param name="uri">The request URI.</param>
    /// <returns><see langword="true"/> when the exact scheme, host and port were added.</returns>
    public bool IsTrusted(Uri? uri) => uri is { IsAbsoluteUri: true } && _origins.ContainsKey(Origin.Of(uri));
}
