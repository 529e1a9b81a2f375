using Microsoft.Extensions.Logging;

namespace Databacker.Api.Client.Reporting;

internal static partial class LogUploaderLog
{
    [LoggerMessage(EventId = 1610, Level = LogLevel.Warning, Message = "The controller refused a log request of {RefusedBytes} bytes as too large (413); later requests of this upload are capped at {CapBytes} bytes, the largest it accepted")]
    public static partial void ChunksCapped(ILogger logger, int refusedBytes, int capBytes);

    [LoggerMessage(EventId = 1611, Level = LogLevel.Warning, Message = "A log request of {Bytes} bytes failed ({Reason}); sending its lines again in {Delay} (resend {Resend} of {MaxResends})")]
    public static partial void Resending(ILogger logger, int bytes, string reason, TimeSpan delay, int resend, int maxResends);

    [LoggerMessage(EventId = 1612, Level = LogLevel.Warning, Message = "The controller acknowledged {Accepted} new and {Duplicates} duplicate line(s) of a log request of {Lines}: the run's log there is short")]
    public static partial void Unacknowledged(ILogger logger, int lines, long accepted, long duplicates);
}
