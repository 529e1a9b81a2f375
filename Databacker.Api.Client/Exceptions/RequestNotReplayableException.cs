namespace Databacker.Api.Client.Exceptions;

/// <summary>
/// The request would have to be sent again (redirect or authentication retry) but its body was a stream that has
/// already been consumed. The client fails rather than send a truncated or empty body.
/// </summary>
public sealed class RequestNotReplayableException : DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="details">The call the error is about.</param>
    public RequestNotReplayableException(string message, ApiCallDetails details)
        : base(message, details)
    {
    }
}
