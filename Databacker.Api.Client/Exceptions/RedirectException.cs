namespace Databacker.Api.Client.Exceptions;

/// <summary>A redirect could not be followed safely; <see cref="Reason"/> says why.</summary>
public sealed class RedirectException : DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="details">The redirect response and the chain so far.</param>
    /// <param name="reason">Why the redirect was refused.</param>
    /// <param name="location">The <c>Location</c> value as received, if any.</param>
    public RedirectException(string message, ApiCallDetails details, RedirectFailureReason reason, string? location)
        : base(message, details)
    {
        Reason = reason;
        Location = location;
    }

    /// <summary>Why the redirect was refused.</summary>
    public RedirectFailureReason Reason { get; }

    /// <summary>The raw <c>Location</c> header of the refused redirect, if it had one.</summary>
    public string? Location { get; }
}
