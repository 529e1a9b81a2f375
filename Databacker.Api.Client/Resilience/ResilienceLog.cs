using Microsoft.Extensions.Logging;

namespace Databacker.Api.Client.Resilience;

internal static partial class ResilienceLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "{Method} {Uri} attempt {Attempt} failed ({Outcome}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, HttpMethod method, Uri? uri, int attempt, string outcome, TimeSpan delay);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "{Method} {Uri} is rate limited for {RetryAfter}, beyond what this call may wait")]
    public static partial void RateLimited(ILogger logger, HttpMethod method, Uri? uri, TimeSpan? retryAfter);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Error, Message = "Circuit to {Authority} opened for {BreakDuration}")]
    public static partial void CircuitOpened(ILogger logger, string authority, TimeSpan breakDuration);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "{Method} {Url} answered {StatusCode} after {ElapsedMilliseconds} ms ({Attempts} attempts)")]
    public static partial void Answered(ILogger logger, HttpMethod method, string? url, int statusCode, double elapsedMilliseconds, int attempts);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Debug, Message = "{Method} {Url} failed after {ElapsedMilliseconds} ms ({Attempts} attempts): {Error}")]
    public static partial void Failed(ILogger logger, HttpMethod method, string? url, double elapsedMilliseconds, int attempts, string error);
}
