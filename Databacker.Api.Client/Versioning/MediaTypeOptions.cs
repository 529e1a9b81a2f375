using Databacker.Api.Contracts.Versioning;

namespace Databacker.Api.Client.Versioning;

/// <summary>
/// Options of the <see cref="MediaTypeHandler"/>. Set once on the handler, or per request under
/// <see cref="RequestOptionsKey"/> (that is how an operation states the exact media types it was generated for).
/// </summary>
public sealed class MediaTypeOptions
{
    /// <summary>The key under which a per-request override is read from <see cref="HttpRequestMessage.Options"/>.</summary>
    public static readonly HttpRequestOptionsKey<MediaTypeOptions> RequestOptionsKey = new("Databacker.Api.Client.MediaTypeOptions");

    /// <summary>When set, replaces the request's <c>Accept</c> with this exact vendor media type.</summary>
    public VendorMediaType? Accept { get; set; }

    /// <summary>When set, replaces the <c>Content-Type</c> of the request body with this exact vendor media type.</summary>
    public VendorMediaType? ContentType { get; set; }

    /// <summary>Whether successful responses are checked against the requested vendor media types. Default on.</summary>
    public bool ValidateResponses { get; set; } = true;

    /// <summary>A copy to change for one request.</summary>
    internal MediaTypeOptions Clone() => (MediaTypeOptions)MemberwiseClone();
}
