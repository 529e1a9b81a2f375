namespace Databacker.Api.Client.Exceptions;

/// <summary>The endpoint answered <c>404 Not Found</c>: the route is not a known part of the API there, or the resource does not exist.</summary>
public sealed class ResourceNotFoundException : DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="details">The call the error is about.</param>
    public ResourceNotFoundException(string message, ApiCallDetails details)
        : base(message, details)
    {
    }
}
