using Databacker.Api.Contracts;

namespace Databacker.Api.Client.Exceptions;

/// <summary>
/// The call was not sent: the discovery document says the instance's account does not have the service the call
/// belongs to (e.g. reporting), or names no URL for it. Nothing went over the wire; retrying will not help until the
/// service is enabled for the account.
/// </summary>
public sealed class ServiceNotEnabledException : DatabackerApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="details">The call that was not sent (method and URI; no response).</param>
    /// <param name="service">The service that is not enabled.</param>
    public ServiceNotEnabledException(string message, ApiCallDetails details, ServiceName service)
        : base(message, details)
    {
        Service = service;
    }

    /// <summary>The service that is not enabled, e.g. <see cref="ServiceName.Reporting"/>.</summary>
    public ServiceName Service { get; }
}
