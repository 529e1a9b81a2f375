using System.Net;

namespace Databacker.Api.Client.Pipeline;

/// <summary>Origin (scheme, host, port) arithmetic shared by routing and authentication.</summary>
internal static class Origin
{
    /// <summary>The normalised origin of <paramref name="uri"/>, e.g. <c>https://host:443</c>.</summary>
    public static string Of(Uri uri) =>
        string.Concat(uri.Scheme.ToLowerInvariant(), "://", uri.IdnHost.ToLowerInvariant(), ":", uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

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
}
