namespace Databacker.Api.Client.Exceptions;

/// <summary>
/// The endpoint asked the client to wait (<c>429</c>, or <c>503</c> with <c>Retry-After</c>) longer than the
/// configured maximum or than the time left for the call, or retries were exhausted while rate limited.
/// </summary>
public sealed class RateLimitedException : DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="details">The call the error is about.</param>
    /// <param name="retryAfter">The delay the server asked for, if it gave one.</param>
    public RateLimitedException(string message, ApiCallDetails details, TimeSpan? retryAfter)
        : base(message, details)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>The delay the server asked for in <c>Retry-After</c>, if any.</summary>
    public TimeSpan? RetryAfter { get; }
}
