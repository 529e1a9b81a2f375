namespace Databacker.Api.Client.Exceptions;

/// <summary>
/// The endpoint answered <c>406 Not Acceptable</c>: it cannot produce the media type (resource version) this client
/// was built against. Usually the server is older than the client, or dropped that version.
/// </summary>
public sealed class NotAcceptableException : DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="details">The call the error is about.</param>
    /// <param name="requestedMediaTypes">The <c>Accept</c> values that were sent.</param>
    public NotAcceptableException(string message, ApiCallDetails details, IReadOnlyList<string> requestedMediaTypes)
        : base(message, details)
    {
        RequestedMediaTypes = requestedMediaTypes;
    }

    /// <summary>The media types (with their versions) that were asked for in <c>Accept</c>.</summary>
    public IReadOnlyList<string> RequestedMediaTypes { get; }
}
