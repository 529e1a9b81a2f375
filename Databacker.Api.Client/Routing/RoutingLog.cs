using System.Net;
using Microsoft.Extensions.Logging;

namespace Databacker.Api.Client.Routing;

internal static partial class RoutingLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "{Method} {From} answered {StatusCode}; following to {To} (hop {Hop})")]
    public static partial void FollowingRedirect(ILogger logger, HttpMethod method, Uri from, HttpStatusCode statusCode, Uri to, int hop);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Remembered route {From} -> {To}")]
    public static partial void RouteRemembered(ILogger logger, Uri from, Uri to);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Sending {Method} {Requested} to remembered route {Target}")]
    public static partial void UsingRememberedRoute(ILogger logger, HttpMethod method, Uri requested, Uri target);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Redirect from {From} refused: {Reason}")]
    public static partial void RedirectRefused(ILogger logger, Uri from, Exceptions.RedirectFailureReason reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Sending {Method} to untrusted origin {Target} without credentials")]
    public static partial void CredentialsStripped(ILogger logger, HttpMethod method, Uri target);
}
