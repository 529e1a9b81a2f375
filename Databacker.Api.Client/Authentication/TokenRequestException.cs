namespace Databacker.Api.Client.Authentication;

/// <summary>
/// The authorization server did not issue a token: an RFC 6749 §5.2 error (<see cref="Error"/>), a rate limit
/// (<see cref="RetryAfter"/>), a malformed answer, or metadata that does not match the configured issuer.
/// </summary>
public sealed class TokenRequestException : Exceptions.DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="details">The call to the token or metadata endpoint.</param>
    /// <param name="error">The RFC 6749 error code, e.g. <c>invalid_client</c>, if the server gave one.</param>
    /// <param name="errorDescription">The server's <c>error_description</c>, if any.</param>
    /// <param name="errorUri">The server's <c>error_uri</c>, if any.</param>
    /// <param name="retryAfter">The delay the server asked for, if any.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public TokenRequestException(
        string message,
        Exceptions.ApiCallDetails? details = null,
        string? error = null,
        string? errorDescription = null,
        string? errorUri = null,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(message, details, innerException)
    {
        Error = error;
        ErrorDescription = errorDescription;
        ErrorUri = errorUri;
        RetryAfter = retryAfter;
    }

    /// <summary>The RFC 6749 error code (<c>invalid_client</c>, <c>invalid_grant</c>, <c>invalid_scope</c>, …), if any.</summary>
    public string? Error { get; }

    /// <summary>The server's human-readable <c>error_description</c>, if any.</summary>
    public string? ErrorDescription { get; }

    /// <summary>The server's <c>error_uri</c>, if any.</summary>
    public string? ErrorUri { get; }

    /// <summary>The delay the server asked for with <c>Retry-After</c> (429, 503), if any.</summary>
    public TimeSpan? RetryAfter { get; }
}
