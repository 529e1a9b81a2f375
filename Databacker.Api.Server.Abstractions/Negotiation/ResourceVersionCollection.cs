using Databacker.Api.Contracts.Versioning;
namespace Databacker.Api.Server.Negotiation;

/// <summary>
/// Additional versions of the API's resources that this server can produce and accept, next to the versions the
/// contract declares. A version added here applies to every operation that produces or consumes the resource, with
/// no change to routing; the negotiated version is available to actions through
/// <see cref="NegotiationHttpContextExtensions.GetNegotiatedMediaTypes"/>.
/// </summary>
/// <example>
/// <code>
/// options.Versions.Add("application/vnd.databack.device-config.v2+json", document => ConfigV2.From((ConfigDocument)document));
/// </code>
/// </example>
public sealed class ResourceVersionCollection
{
    private readonly List<ResourceVersion> _versions = [];

    /// <summary>The added versions, in the order they were added.</summary>
    public IReadOnlyList<ResourceVersion> Versions => _versions;

    /// <summary>Adds a version of a resource.</summary>
    /// <param name="mediaType">The full vendor media type with version and format, e.g. <c>application/vnd.databack.device-config.v2+json</c>.</param>
    /// <param name="toRepresentation">
    /// Converts what an action returns into this version's representation when a client selects it; null when the
    /// actions return the right shape themselves (by checking the negotiated media type).
    /// </param>
    /// <returns>This collection.</returns>
    /// <exception cref="ArgumentException">The media type is not a databacker vendor type with a version and format.</exception>
    public ResourceVersionCollection Add(string mediaType, Func<object, object>? toRepresentation = null)
    {
        if (!VendorMediaType.TryParse(mediaType, out var vendor) || vendor!.Version is null || vendor.Format is null)
        {
            throw new ArgumentException(
                $"'{mediaType}' is not a versioned databacker media type such as application/vnd.databack.device-config.v2+json.", nameof(mediaType));
        }

        _versions.Add(new ResourceVersion(vendor.ToString(), vendor, toRepresentation));
        return this;
    }
}
