using Microsoft.Net.Http.Headers;

namespace Databacker.Api.Server.Negotiation;

/// <summary>The charset a <c>Content-Type</c> names, and whether it is UTF-8, the API's one encoding, or a subset of it.</summary>
internal static class Charset
{
    /// <summary>The <c>charset</c> parameter of <paramref name="contentType"/>, or null when there is none (or no valid type).</summary>
    public static string? Of(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.Charset.HasValue ? parsed.Charset.Value : null;

    /// <summary>Whether <paramref name="contentType"/> names no charset, or UTF-8 (<c>utf-8</c>, <c>utf8</c>) or its subset <c>us-ascii</c>.</summary>
    public static bool IsUtf8(string? contentType) => Of(contentType) is not { } charset || IsUtf8Name(charset);

    /// <summary>Whether <paramref name="charset"/> is UTF-8 or its subset <c>us-ascii</c>.</summary>
    public static bool IsUtf8Name(string charset) =>
        charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
        || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
        || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase);
}
