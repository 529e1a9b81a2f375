using Microsoft.Extensions.Logging;

namespace Databacker.Api.Server.Diagnostics;

/// <summary>The server runtime's log messages. Never log tokens, assertions or keys.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled exception while processing {Method} {Path}")]
    public static partial void UnhandledException(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Operation {OperationId} is served elsewhere; redirecting to {Location}")]
    public static partial void RedirectingOperation(ILogger logger, string operationId, string location);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Operation {OperationId} is not served here and no location is configured; answering 410")]
    public static partial void OperationGone(ILogger logger, string operationId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Request body of {Method} {Path} exceeds the limit of {Limit} bytes")]
    public static partial void BodyTooLarge(ILogger logger, string method, string path, long limit);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Issued an access token to instance {InstanceId} for scope {Scope}")]
    public static partial void TokenIssued(ILogger logger, string instanceId, string scope);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Token request refused: {Error}")]
    public static partial void TokenRefused(ILogger logger, string error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Agent token of instance {TokenInstance} refused on the route of instance {RouteInstance}")]
    public static partial void InstanceMismatch(ILogger logger, string tokenInstance, string routeInstance);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "The instance key store could not be asked whether the key of instance {InstanceId}'s token is still registered (accepted when found registered in the last 10 minutes, else answered 503)")]
    public static partial void KeyStoreUnavailable(ILogger logger, Exception exception, string? instanceId);
}
