namespace Databacker.Api.Client.Exceptions;

/// <summary>
/// The endpoint answered <c>410 Gone</c>: the operation is a valid part of the API, but this endpoint does not
/// implement it and does not know where it is implemented. Never retried.
/// </summary>
public sealed class EndpointNotImplementedException : DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="details">The call the error is about.</param>
    /// <param name="operation">The operation that is not implemented, e.g. <c>POST /report/{instance}</c>.</param>
    public EndpointNotImplementedException(string message, ApiCallDetails details, string operation)
        : base(message, details)
    {
        Operation = operation;
    }

    /// <summary>The operation that this endpoint does not implement: the operation name when the caller gave one, otherwise method and path.</summary>
    public string Operation { get; }
}
