using Databacker.Api.Contracts.Versioning;
namespace Databacker.Api.Server.Negotiation;

/// <summary>The media types negotiated for the current request, stored in <c>HttpContext.Features</c>.</summary>
public sealed class NegotiatedMediaTypes
{
    internal NegotiatedMediaTypes(string? response, string? request, Func<object, object>? responseConverter = null)
    {
        Response = response;
        Request = request;
        ResponseConverter = responseConverter;
    }

    /// <summary>
    /// Converts the document to the negotiated (added) version, when the response is written in one: another
    /// representation of the document. Looked up once per request, when negotiating.
    /// </summary>
    internal Func<object, object>? ResponseConverter { get; }

    /// <summary>The media type the response is written in (from <c>Accept</c>); null for operations without a negotiated body.</summary>
    public string? Response { get; }

    /// <summary>The supported media type the request body was sent in (from <c>Content-Type</c>); null without a body.</summary>
    public string? Request { get; }

    /// <summary>The version of the response representation, when it is a versioned vendor type.</summary>
    public int? ResponseVersion => VendorMediaType.TryParse(Response, out var vendor) ? vendor!.Version : null;

    /// <summary>The version of the request representation, when it is a versioned vendor type.</summary>
    public int? RequestVersion => VendorMediaType.TryParse(Request, out var vendor) ? vendor!.Version : null;
}
