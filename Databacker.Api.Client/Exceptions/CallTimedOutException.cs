namespace Databacker.Api.Client.Exceptions;

/// <summary>The call did not complete within its attempt or total timeout (see the resilience options).</summary>
public sealed class CallTimedOutException : DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="details">The call.</param>
    /// <param name="innerException">Polly's exception.</param>
    public CallTimedOutException(string message, ApiCallDetails details, Exception innerException)
        : base(message, details, innerException)
    {
    }
}
