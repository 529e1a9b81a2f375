namespace Databacker.Api.Client.Exceptions;

/// <summary>Why a redirect was refused.</summary>
public enum RedirectFailureReason
{
    /// <summary>The redirect leads back to a URI already visited in this call.</summary>
    Loop,

    /// <summary>More redirects than the configured maximum.</summary>
    TooManyHops,

    /// <summary>A redirect from https to http; never followed.</summary>
    InsecureDowngrade,

    /// <summary>A redirect status without a <c>Location</c> header.</summary>
    MissingLocation,

    /// <summary>A <c>Location</c> header that is not a valid http(s) URI reference.</summary>
    MalformedLocation,

    /// <summary>A <c>302 Found</c> or <c>303 See Other</c>, which this API does not use.</summary>
    UnsupportedStatus,

    /// <summary>A redirect to an origin that is not trusted, while following such redirects is off.</summary>
    UntrustedOrigin,
}
