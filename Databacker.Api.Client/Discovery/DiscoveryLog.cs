using Microsoft.Extensions.Logging;

namespace Databacker.Api.Client.Discovery;

internal static partial class DiscoveryLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Discovered endpoints of instance {Instance}: services [{Services}], reporting {Reporting}, valid until {ExpiresAt:O}")]
    public static partial void Discovered(ILogger logger, string instance, string services, Uri? reporting, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Refreshing the discovery document failed; the previous one stays in use until {Until:O}")]
    public static partial void RefreshFailed(ILogger logger, Exception exception, DateTimeOffset until);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "The discovery document names {Url}, which is neither https nor loopback http; not trusting it")]
    public static partial void InsecureUrl(ILogger logger, Uri url);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Reporting call to {Uri} was {What}; refreshing the discovery document")]
    public static partial void ReportingMoved(ILogger logger, Uri uri, string what);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "The discovery document could not be fetched; orchestration calls go to the configured URL until {Until:O}")]
    public static partial void OrchestrationDiscoveryFailed(ILogger logger, Exception exception, DateTimeOffset until);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Information, Message = "Orchestration call to {Uri} was {What}; refreshing the discovery document")]
    public static partial void OrchestrationMoved(ILogger logger, Uri uri, string what);
}
