namespace Databacker.Api.Client.Exceptions;

/// <summary>
/// The call was not sent because recent calls to the same endpoint kept failing (the circuit breaker is open);
/// try again after <see cref="RetryAfter"/>.
/// </summary>
public sealed class CircuitOpenException : DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="details">The call.</param>
    /// <param name="retryAfter">When the breaker lets a call through again, if known.</param>
    /// <param name="innerException">Polly's exception.</param>
    public CircuitOpenException(string message, ApiCallDetails details, TimeSpan? retryAfter, Exception innerException)
        : base(message, details, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long until the breaker lets a call through again, if known.</summary>
    public TimeSpan? RetryAfter { get; }
}
