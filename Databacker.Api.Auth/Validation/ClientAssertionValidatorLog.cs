using Microsoft.Extensions.Logging;

namespace Databacker.Api.Auth.Validation;

/// <summary>Log messages of <see cref="ClientAssertionValidator"/>. Never includes the assertion itself.</summary>
internal static partial class ClientAssertionValidatorLog
{
    [LoggerMessage(EventId = 1, EventName = "ClientAssertionRejected", Level = LogLevel.Warning,
        Message = "Client assertion rejected: {Reason} (claimed client '{ClaimedClientId}').")]
    public static partial void Rejected(ILogger logger, ClientAssertionRejectionReason reason, string claimedClientId);

    [LoggerMessage(EventId = 2, EventName = "ClientAssertionAccepted", Level = LogLevel.Debug,
        Message = "Client assertion accepted for client '{ClientId}' with key '{KeyId}'.")]
    public static partial void Accepted(ILogger logger, string clientId, string keyId);

    [LoggerMessage(EventId = 3, EventName = "RegisteredKeyInvalid", Level = LogLevel.Error,
        Message = "A registered key of client '{ClientId}' is not a valid public key ({KeyReason}); assertions signed with it are rejected.")]
    public static partial void RegisteredKeyInvalid(ILogger logger, string clientId, string keyReason);

    [LoggerMessage(EventId = 4, EventName = "ClientAssertionLibraryRejected", Level = LogLevel.Warning,
        Message = "Client assertion rejected by token validation ({ExceptionType}) for claimed client '{ClaimedClientId}'.")]
    public static partial void LibraryRejected(ILogger logger, string exceptionType, string claimedClientId);
}
