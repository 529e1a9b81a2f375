using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Databacker.Api.Contracts.Versioning;

/// <summary>
/// A databacker vendor media type, <c>application/vnd.databack.&lt;resource&gt;[.v&lt;N&gt;][+&lt;format&gt;]</c>, as the
/// spec's versioning rules define it: the version and the format may be left out (highest version, JSON).
/// Shared by the client (what it asks for and accepts) and the server (what it negotiates).
/// </summary>
public sealed partial record VendorMediaType
{
    /// <summary>The prefix every databacker media type starts with.</summary>
    public const string Prefix = "application/vnd.databack.";

    /// <summary>The format when none is given.</summary>
    public const string DefaultFormat = "json";

    /// <summary>Creates a media type.</summary>
    /// <param name="resource">The resource, e.g. <c>device-config</c>.</param>
    /// <param name="version">The version, or <see langword="null"/> for "the highest".</param>
    /// <param name="format">The format, or <see langword="null"/> when not given (JSON).</param>
    public VendorMediaType(string resource, int? version, string? format)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        Resource = resource;
        Version = version;
        Format = format;
    }

    /// <summary>The resource, e.g. <c>device-config</c>.</summary>
    public string Resource { get; }

    /// <summary>The version, or <see langword="null"/> when none was given.</summary>
    public int? Version { get; }

    /// <summary>The format as given, or <see langword="null"/> when none was given.</summary>
    public string? Format { get; }

    /// <summary>The format, defaulting to <see cref="DefaultFormat"/>.</summary>
    public string EffectiveFormat => Format ?? DefaultFormat;

    /// <summary>Parses a media type (parameters such as <c>charset</c> are ignored; case-insensitive).</summary>
    /// <param name="value">The header value.</param>
    /// <param name="mediaType">The media type, when it is a databacker one.</param>
    /// <returns>Whether <paramref name="value"/> is a databacker media type.</returns>
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
                // Versions start at 1.
                return false;
            }

            version = v;
        }

        mediaType = new VendorMediaType(match.Groups["resource"].Value, version, match.Groups["format"].Success ? match.Groups["format"].Value : null);
        return true;
    }

    /// <summary>Parses a media type.</summary>
    /// <param name="value">The header value.</param>
    /// <returns>The media type.</returns>
    /// <exception cref="FormatException"><paramref name="value"/> is not a databacker media type.</exception>
    public static VendorMediaType Parse(string value) =>
        TryParse(value, out var mediaType) ? mediaType : throw new FormatException($"'{value}' is not a databacker media type ({Prefix}<resource>.v<N>+<format>).");

    /// <summary>
    /// Whether a response of type <paramref name="received"/> satisfies a request for this type: same resource and
    /// format, and the same or a newer version (newer versions only add what older readers ignore).
    /// </summary>
    /// <param name="received">The type of the response.</param>
    /// <returns>Whether it is acceptable.</returns>
    public bool Accepts(VendorMediaType received)
    {
        ArgumentNullException.ThrowIfNull(received);
        return string.Equals(Resource, received.Resource, StringComparison.Ordinal)
            && string.Equals(EffectiveFormat, received.EffectiveFormat, StringComparison.Ordinal)
            && (Version is null || (received.Version is { } v && v >= Version));
    }

    /// <summary>The media type as written, leaving out what was not given.</summary>
    /// <returns>The media type.</returns>
    public override string ToString() =>
        Prefix + Resource + (Version is { } v ? ".v" + v.ToString(CultureInfo.InvariantCulture) : string.Empty) + (Format is null ? string.Empty : "+" + Format);

    [GeneratedRegex(@"^application/vnd\.databack\.(?<resource>[a-z0-9](?:[a-z0-9.-]*?[a-z0-9])?)(?:\.v(?<version>[0-9]{1,9}))?(?:\+(?<format>[a-z0-9][a-z0-9.-]*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
