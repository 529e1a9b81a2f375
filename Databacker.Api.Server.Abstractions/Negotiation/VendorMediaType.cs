using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Databacker.Api.Server.Negotiation;

/// <summary>
/// A databacker vendor media type, <c>application/vnd.databack.&lt;resource&gt;[.v&lt;version&gt;][+&lt;format&gt;]</c>, e.g.
/// <c>application/vnd.databack.device-config.v1+json</c>. The version and format are optional when a client asks
/// for a representation; the server always answers with both.
/// </summary>
public sealed record VendorMediaType
{
    /// <summary>The prefix of every databacker vendor media type.</summary>
    public const string Prefix = "application/vnd.databack.";

    /// <summary>The format used when none is given.</summary>
    public const string DefaultFormat = "json";

    /// <summary>Creates a vendor media type.</summary>
    /// <param name="resource">The resource name, e.g. <c>device-config</c>.</param>
    /// <param name="version">The version, or null when unspecified.</param>
    /// <param name="format">The format suffix without <c>+</c>, or null when unspecified.</param>
    public VendorMediaType(string resource, int? version, string? format)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        Resource = resource;
        Version = version;
        Format = format;
    }

    /// <summary>The resource name, e.g. <c>device-config</c>.</summary>
    public string Resource { get; }

    /// <summary>The version; null when unspecified.</summary>
    public int? Version { get; }

    /// <summary>The format suffix, e.g. <c>json</c>; null when unspecified.</summary>
    public string? Format { get; }

    /// <summary>The format, or <see cref="DefaultFormat"/> when unspecified.</summary>
    public string EffectiveFormat => Format ?? DefaultFormat;

    /// <summary>Parses a media type (parameters such as <c>q</c> or <c>charset</c> are ignored).</summary>
    /// <param name="mediaType">The media type text.</param>
    /// <param name="result">The vendor media type when it is one.</param>
    /// <returns>Whether the text is a databacker vendor media type.</returns>
    public static bool TryParse(string? mediaType, out VendorMediaType? result)
    {
        result = null;
        if (mediaType is null || !MediaTypeHeaderValue.TryParse(mediaType, out var parsed))
        {
            return false;
        }

        var essence = parsed.MediaType.Value ?? string.Empty;
        if (!essence.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var name = essence[Prefix.Length..].ToLowerInvariant();
        string? format = null;
        var plus = name.LastIndexOf('+');
        if (plus >= 0)
        {
            format = name[(plus + 1)..];
            name = name[..plus];
            if (format.Length == 0)
            {
                return false;
            }
        }

        int? version = null;
        var dot = name.LastIndexOf(".v", StringComparison.Ordinal);
        if (dot > 0 && name.Length > dot + 2 && name[(dot + 2)..].All(char.IsAsciiDigit)
            && int.TryParse(name[(dot + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out var parsedVersion))
        {
            version = parsedVersion;
            name = name[..dot];
        }

        if (name.Length == 0)
        {
            return false;
        }

        result = new VendorMediaType(name, version, format);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() =>
        Prefix + Resource + (Version is { } v ? ".v" + v.ToString(CultureInfo.InvariantCulture) : string.Empty) + (Format is null ? string.Empty : "+" + Format);
}
