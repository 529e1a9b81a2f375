using Microsoft.Extensions.Logging;

namespace Databacker.Api.Client.Reporting;

internal static partial class ReportingSenderLog
{
    [LoggerMessage(EventId = 1600, Level = LogLevel.Warning, Message = "Delivering spooled reports failed; {Remaining} kept for a later attempt")]
    public static partial void DeliveryFailed(ILogger logger, Exception exception, string remaining);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "The controller refused a spooled {Kind} report with {Status}; it was dropped so the reports behind it can go")]
    public static partial void Refused(ILogger logger, string kind, int status);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Warning, Message = "Skipped {Bytes} damaged bytes in the spool (a crash mid-write); the good records were kept")]
    public static partial void CorruptSkipped(ILogger logger, long bytes);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Warning, Message = "Dropped a spooled record of unknown kind '{Kind}'")]
    public static partial void UnknownKind(ILogger logger, string kind);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Information, Message = "Delivered {Count} spooled report(s)")]
    public static partial void Delivered(ILogger logger, int count);

    [LoggerMessage(EventId = 1605, Level = LogLevel.Warning, Message = "Dropped event {EventId}: alone it is {Bytes} bytes, more than a spool segment holds; the other events of its batch were spooled")]
    public static partial void EventTooLarge(ILogger logger, Guid eventId, int bytes);
}
