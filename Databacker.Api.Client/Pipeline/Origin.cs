using System.Net;

namespace Databacker.Api.Client.Pipeline;

/// <summary>Origin (scheme, host, port) arithmetic shared by routing and authentication.</summary>
internal static class Origin
{
    // The last answer of Of, with what it was computed from.
    private static Memo? _last;

    /// <summary>The normalised origin of <paramref name="uri"/>, e.g. <c>https://host:443</c>.</summary>
    public static string Of(Uri uri)
    {
        // Every call asks (the token handler, the circuit breaker's key), almost always for the same origin: the last
        // answer is kept, so that the string is not built again per call.
        var scheme = uri.Scheme;
        var host = uri.IdnHost;
        var port = uri.Port;
        var last = Volatile.Read(ref _last);
        if (last is not null && last.Port == port && string.Equals(last.Host, host, StringComparison.Ordinal)
            && string.Equals(last.Scheme, scheme, StringComparison.Ordinal))
        {
            return last.Value;
        }

        var value = string.Concat(scheme.ToLowerInvariant(), "://", host.ToLowerInvariant(), ":", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Volatile.Write(ref _last, new Memo(scheme, host, port, value));
        return value;
    }

    /// <summary>Whether two absolute URIs have the same origin; the comparison <see cref="Of"/> makes, without building strings.</summary>
    public static bool Same(Uri a, Uri b) =>
        ReferenceEquals(a, b)
        || (a.Port == b.Port
            && string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when the host is a loopback name or address (localhost, 127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(Uri uri)
    {
        if (uri.IsLoopback)
        {
            return true;
        }

        return IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>True when credentials may travel over this scheme: https, or http to loopback only.</summary>
    public static bool IsSecureTransport(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri));

    private sealed record Memo(string Scheme, string Host, int Port, string Value);
}
