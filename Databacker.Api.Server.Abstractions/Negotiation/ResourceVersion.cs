using Databacker.Api.Contracts.Versioning;

namespace Databacker.Api.Server.Negotiation;

/// <summary>A version of a resource added through <see cref="ResourceVersionCollection"/>.</summary>
public sealed class ResourceVersion
{
    internal ResourceVersion(string mediaType, VendorMediaType vendorMediaType, Func<object, object>? toRepresentation)
    {
        MediaType = mediaType;
        VendorMediaType = vendorMediaType;
        ToRepresentation = toRepresentation;
    }

    /// <summary>The media type, e.g. <c>application/vnd.databack.device-config.v2+json</c>.</summary>
    public string MediaType { get; }

    /// <summary>The parsed media type.</summary>
    public VendorMediaType VendorMediaType { get; }

    /// <summary>Converts an action's result into this representation; null when actions produce it themselves.</summary>
    public Func<object, object>? ToRepresentation { get; }
}
