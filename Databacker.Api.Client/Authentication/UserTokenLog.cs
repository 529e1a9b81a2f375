using Microsoft.Extensions.Logging;

namespace Databacker.Api.Client.Authentication;

internal static partial class UserTokenLog
{
    [LoggerMessage(EventId = 1320, Level = LogLevel.Warning, Message = "Not attaching the user token to {Uri}: the origin is not trusted or the transport is not secure")]
    public static partial void TokenWithheld(ILogger logger, Uri uri);

    [LoggerMessage(EventId = 1321, Level = LogLevel.Information, Message = "{Method} {Uri} answered 401 to the user token; asking the user token source for a new one")]
    public static partial void Unauthorized(ILogger logger, HttpMethod method, Uri uri);
}
