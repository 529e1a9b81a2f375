using Microsoft.AspNetCore.Http;

namespace Databacker.Api.Server.Negotiation;

/// <summary>Reads the outcome of media-type negotiation inside an action.</summary>
public static class NegotiationHttpContextExtensions
{
    /// <summary>The media types negotiated for this request; null outside the API's operations.</summary>
    /// <param name="context">The HTTP context.</param>
    /// <returns>The negotiated media types, or null.</returns>
    public static NegotiatedMediaTypes? GetNegotiatedMediaTypes(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<NegotiatedMediaTypes>();
    }
}
