using Databacker.Api.Contracts.Versioning;
namespace Databacker.Api.Server.Negotiation;

/// <summary>The media types negotiated for the current request, stored in <c>HttpContext.Features</c>.</summary>
public sealed class NegotiatedMediaTypes
{
    internal NegotiatedMediaTypes(string? response, string? request, bool responseConverted = false)
    {
        Response = response;
        Request = request;
        ResponseConverted = responseConverted;
    }

    /// <summary>Whether the response is converted from the document to another (added) version: another representation.</summary>
    internal bool ResponseConverted { get; }

    /// <summary>The media type the response is written in (from <c>Accept</c>); null for operations without a negotiated body.</summary>
    public string? Response { get; }

    /// <summary>The supported media type the request body was sent in (from <c>Content-Type</c>); null without a body.</summary>
    public string? Request { get; }

    /// <summary>The version of the response representation, when it is a versioned vendor type.</summary>
    public int? ResponseVersion => VendorMediaType.TryParse(Response, out var vendor) ? vendor!.Version : null;

    /// <summary>The version of the request representation, when it is a versioned vendor type.</summary>
    public int? RequestVersion => VendorMediaType.TryParse(Request, out var vendor) ? vendor!.Version : null;
}
