namespace Databacker.Api.Client.Exceptions;

/// <summary>
/// A successful response carried a media type the client cannot read: another resource, an older version, another
/// format, or a generic type where a vendor media type was asked for.
/// </summary>
public sealed class UnexpectedMediaTypeException : DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="details">The call the error is about.</param>
    /// <param name="requestedMediaTypes">The <c>Accept</c> values that were sent.</param>
    /// <param name="receivedMediaType">The response <c>Content-Type</c>, if any.</param>
    public UnexpectedMediaTypeException(string message, ApiCallDetails details, IReadOnlyList<string> requestedMediaTypes, string? receivedMediaType)
        : base(message, details)
    {
        RequestedMediaTypes = requestedMediaTypes;
        ReceivedMediaType = receivedMediaType;
    }

    /// <summary>The media types asked for in <c>Accept</c>.</summary>
    public IReadOnlyList<string> RequestedMediaTypes { get; }

    /// <summary>The media type received in <c>Content-Type</c>, if any.</summary>
    public string? ReceivedMediaType { get; }
}
