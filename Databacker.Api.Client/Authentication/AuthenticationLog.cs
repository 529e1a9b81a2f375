using System.Net;
using Microsoft.Extensions.Logging;

namespace Databacker.Api.Client.Authentication;

internal static partial class AuthenticationLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Read authorization server metadata of {Issuer}: token endpoint {TokenEndpoint}")]
    public static partial void MetadataRead(ILogger logger, string issuer, Uri tokenEndpoint);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Information, Message = "The authorization server metadata at {MetadataUri} moved permanently; the issuer is {Issuer}")]
    public static partial void MetadataMoved(ILogger logger, Uri metadataUri, Uri issuer);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Obtained an access token valid until {ExpiresAt:O}")]
    public static partial void TokenObtained(ILogger logger, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Token endpoint answered {StatusCode}; retrying after {Delay}")]
    public static partial void TokenEndpointBusy(ILogger logger, HttpStatusCode statusCode, TimeSpan delay);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Background token refresh failed; the current token stays in use until {ExpiresAt:O}")]
    public static partial void BackgroundRefreshFailed(ILogger logger, Exception exception, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Information, Message = "{Method} {Uri} answered 401; refreshing the access token once and resending")]
    public static partial void Unauthorized(ILogger logger, HttpMethod method, Uri uri);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "Not attaching the access token to {Uri}: the origin is not trusted or the transport is not secure")]
    public static partial void TokenWithheld(ILogger logger, Uri uri);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Warning, Message = "Token fetch failed")]
    public static partial void TokenFetchFailed(ILogger logger, Exception exception);
}
