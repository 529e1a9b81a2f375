using Databacker.Api.Contracts.Versioning;
using Microsoft.Net.Http.Headers;

namespace Databacker.Api.Server.Negotiation;

/// <summary>
/// Chooses the representation of a response from <c>Accept</c>, and checks a request's <c>Content-Type</c>, by the
/// rules of the API's versioning: an explicit version selects that version; a vendor type without a version selects
/// the highest; a version without a format selects JSON; no <c>Accept</c>, <c>*/*</c> or <c>application/*</c> select
/// the highest version of the default format; q-values are honoured (the most specific matching range decides: an exact
/// type, then a stated version, then a stated format, then the vendor type alone, then <c>type/*</c>, then <c>*/*</c>).
/// </summary>
public static class MediaTypeNegotiator
{
    /// <summary>Chooses the response media type.</summary>
    /// <param name="accept">The <c>Accept</c> header values; none means the client accepts anything.</param>
    /// <param name="available">The media types the operation can produce.</param>
    /// <returns>The chosen media type, or null when nothing acceptable is available (answer 406).</returns>
    public static string? SelectResponseMediaType(IReadOnlyList<string> accept, IReadOnlyList<string> available)
    {
        ArgumentNullException.ThrowIfNull(accept);
        ArgumentNullException.ThrowIfNull(available);
        if (available.Count == 0)
        {
            return null;
        }

        var values = accept.Where(v => !string.IsNullOrWhiteSpace(v)).ToArray();
        if (values.Length == 0)
        {
            return SelectDefault(available);
        }

        if (!MediaTypeHeaderValue.TryParseList(values, out var ranges) || ranges.Count == 0)
        {
            return null;
        }

        string? best = null;
        var bestQuality = 0.0;
        var bestSpecificity = -1;
        var bestVersion = -1;
        var bestDefaultFormat = false;
        foreach (var candidate in available)
        {
            VendorMediaType.TryParse(candidate, out var vendor);
            var quality = 0.0;
            var specificity = -1;
            foreach (var range in ranges)
            {
                var rangeSpecificity = Specificity(range, candidate, vendor);
                if (rangeSpecificity > specificity || (rangeSpecificity == specificity && rangeSpecificity >= 0 && (range.Quality ?? 1.0) > quality))
                {
                    specificity = rangeSpecificity;
                    quality = rangeSpecificity < 0 ? 0.0 : range.Quality ?? 1.0;
                }
            }

            var version = vendor?.Version ?? 0;
            var defaultFormat = vendor?.EffectiveFormat == VendorMediaType.DefaultFormat;
            if (quality <= 0.0)
            {
                continue;
            }

            // Ties go to the default format (*/* means "the default representation"), then to the highest version.
            if (quality > bestQuality
                || (quality == bestQuality && specificity > bestSpecificity)
                || (quality == bestQuality && specificity == bestSpecificity && defaultFormat && !bestDefaultFormat)
                || (quality == bestQuality && specificity == bestSpecificity && defaultFormat == bestDefaultFormat && version > bestVersion))
            {
                best = candidate;
                bestQuality = quality;
                bestSpecificity = specificity;
                bestVersion = version;
                bestDefaultFormat = defaultFormat;
            }
        }

        return best;
    }

    /// <summary>The representation chosen when the client expresses no preference: the highest version in the default format.</summary>
    /// <param name="available">The media types the operation can produce.</param>
    /// <returns>The default media type, or null when none is available.</returns>
    public static string? SelectDefault(IReadOnlyList<string> available)
    {
        ArgumentNullException.ThrowIfNull(available);
        string? best = null;
        var bestVersion = -1;
        foreach (var candidate in available)
        {
            if (VendorMediaType.TryParse(candidate, out var vendor) && vendor!.EffectiveFormat == VendorMediaType.DefaultFormat && (vendor.Version ?? 0) > bestVersion)
            {
                best = candidate;
                bestVersion = vendor.Version ?? 0;
            }
        }

        return best ?? (available.Count > 0 ? available[0] : null);
    }

    /// <summary>Finds which supported request media type a <c>Content-Type</c> denotes.</summary>
    /// <param name="contentType">The request's <c>Content-Type</c>.</param>
    /// <param name="supported">The media types the operation accepts.</param>
    /// <returns>The supported media type it denotes, or null when it is not supported (answer 415).</returns>
    public static string? SelectRequestMediaType(string? contentType, IReadOnlyList<string> supported)
    {
        ArgumentNullException.ThrowIfNull(supported);
        if (string.IsNullOrWhiteSpace(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return null;
        }

        var essence = parsed.MediaType.Value ?? string.Empty;
        var exact = supported.FirstOrDefault(s => string.Equals(s, essence, StringComparison.OrdinalIgnoreCase));
        if (exact is not null)
        {
            return exact;
        }

        if (!VendorMediaType.TryParse(essence, out var requested))
        {
            return null;
        }

        string? best = null;
        var bestVersion = -1;
        foreach (var candidate in supported)
        {
            if (VendorMediaType.TryParse(candidate, out var vendor)
                && vendor!.Resource == requested!.Resource
                && vendor.EffectiveFormat == requested.EffectiveFormat
                && (requested.Version is null || requested.Version == vendor.Version)
                && (vendor.Version ?? 0) > bestVersion)
            {
                best = candidate;
                bestVersion = vendor.Version ?? 0;
            }
        }

        return best;
    }

    /// <summary>
    /// How specifically a range matches a candidate: -1 no match, 0 <c>*/*</c>, 1 <c>type/*</c>, 2 the vendor type alone,
    /// 3 with a format but no version, 4 with a version (so <c>….v2;q=0</c> excludes v2 even beside <c>…+json</c>), 5 exact.
    /// </summary>
    private static int Specificity(MediaTypeHeaderValue range, string candidate, VendorMediaType? vendor)
    {
        var rangeText = range.MediaType.Value ?? string.Empty;
        if (range.MatchesAllTypes)
        {
            return 0;
        }

        if (string.Equals(rangeText, candidate, StringComparison.OrdinalIgnoreCase))
        {
            return 5;
        }

        if (range.MatchesAllSubTypes)
        {
            var slash = candidate.IndexOf('/', StringComparison.Ordinal);
            return slash > 0 && string.Equals(range.Type.Value, candidate[..slash], StringComparison.OrdinalIgnoreCase) ? 1 : -1;
        }

        if (vendor is null || !VendorMediaType.TryParse(rangeText, out var requested) || requested!.Resource != vendor.Resource)
        {
            return -1;
        }

        if (requested.EffectiveFormat != vendor.EffectiveFormat)
        {
            return -1;
        }

        if (requested.Version is { } version)
        {
            return version == vendor.Version ? 4 : -1;
        }

        return requested.Format is null ? 2 : 3;
    }
}
