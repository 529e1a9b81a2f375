using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Databacker.Api.Client.Versioning;

/// <summary>
/// A databacker vendor media type, <c>application/vnd.databack.&lt;resource&gt;.v&lt;N&gt;+&lt;format&gt;</c>
/// (spec, "Versioning"): the resource, its version, and the format. Without a format the format is <c>json</c>;
/// without a version, the server picks its highest one (<see cref="Version"/> is <see langword="null"/>).
/// </summary>
/// <param name="Resource">The resource name, lower case, e.g. <c>device-config</c>.</param>
/// <param name="Version">The version, or <see langword="null"/> for "the highest available".</param>
/// <param name="Format">The format (structured syntax suffix), lower case; <c>json</c> by default.</param>
public sealed partial record VendorMediaType(string Resource, int? Version, string Format)
{
    /// <summary>The prefix every databacker media type starts with.</summary>
    public const string Prefix = "application/vnd.databack.";

    /// <summary>The format used when a media type names none.</summary>
    public const string DefaultFormat = "json";

    /// <summary>Parses a media type, ignoring parameters (<c>; charset=utf-8</c>) and case.</summary>
    /// <param name="value">The media type, e.g. from <c>Content-Type</c>.</param>
    /// <param name="mediaType">The parsed media type.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> is a databacker vendor media type.</returns>
    public static bool TryParse(string? value, [NotNullWhen(true)] out VendorMediaType? mediaType)
    {
        mediaType = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        var bare = (semicolon >= 0 ? value[..semicolon] : value).Trim().ToLowerInvariant();
        var match = Pattern().Match(bare);
        if (!match.Success)
        {
            return false;
        }

        int? version = null;
        if (match.Groups["version"].Success)
        {
            if (!int.TryParse(match.Groups["version"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                return false;
            }

            version = v;
        }

        var format = match.Groups["format"].Success ? match.Groups["format"].Value : DefaultFormat;
        mediaType = new VendorMediaType(match.Groups["resource"].Value, version, format);
        return true;
    }

    /// <summary>Parses a media type.</summary>
    /// <param name="value">The media type.</param>
    /// <returns>The parsed media type.</returns>
    /// <exception cref="FormatException">It is not a databacker vendor media type.</exception>
    public static VendorMediaType Parse(string value) =>
        TryParse(value, out var mediaType) ? mediaType : throw new FormatException($"'{value}' is not a databacker media type ({Prefix}<resource>.v<N>+<format>).");

    /// <summary>
    /// Whether a response of media type <paramref name="received"/> can be read by a client that asked for this one:
    /// same resource and format, and the same or a newer version (newer versions of a media type only add fields;
    /// breaking changes get a new resource name).
    /// </summary>
    /// <param name="received">The media type of the response.</param>
    /// <returns><see langword="true"/> when the response is readable.</returns>
    public bool Accepts(VendorMediaType received)
    {
        ArgumentNullException.ThrowIfNull(received);
        return string.Equals(Resource, received.Resource, StringComparison.Ordinal)
            && string.Equals(Format, received.Format, StringComparison.Ordinal)
            && (Version is null || (received.Version is { } v && v >= Version));
    }

    /// <summary>The media type in its full form, e.g. <c>application/vnd.databack.device-config.v1+json</c>.</summary>
    /// <returns>The media type string.</returns>
    public override string ToString() =>
        Version is { } v ? $"{Prefix}{Resource}.v{v.ToString(CultureInfo.InvariantCulture)}+{Format}" : $"{Prefix}{Resource}+{Format}";

    [GeneratedRegex(@"^application/vnd\.databack\.(?<resource>[a-z0-9](?:[a-z0-9.-]*?[a-z0-9])?)(?:\.v(?<version>[0-9]{1,9}))?(?:\+(?<format>[a-z0-9][a-z0-9.-]*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
