namespace Databacker.Api.Client.Reporting;

/// <summary>How a <see cref="ReportingSender"/> delivers reports, and where it keeps the ones not delivered yet.</summary>
public sealed class ReportingSenderOptions
{
    /// <summary>
    /// The spool directory of the durable outbox (give each instance its own). When set, every report is written
    /// there first (write-ahead, fsync'd) and delivered from there in order, also after a restart; when
    /// <see langword="null"/>, reports are sent directly and a failure is the caller's.
    /// </summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>The most bytes spooled at once (default 256 MiB).</summary>
    public long MaxSpoolBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>What happens when the spool is full (default <see cref="OutboxFullPolicy.Reject"/>).</summary>
    public OutboxFullPolicy WhenFull { get; set; } = OutboxFullPolicy.Reject;

    /// <summary>
    /// After a delivery failed, new reports are only spooled, without trying the controller, for this long
    /// (default 5 s), so an unreachable controller does not slow a run down.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSpoolBytes, 64 * 1024, nameof(MaxSpoolBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(RetryDelay.Ticks, nameof(RetryDelay));
        if (SpoolDirectory is not null && string.IsNullOrWhiteSpace(SpoolDirectory))
        {
            throw new ArgumentOutOfRangeException(nameof(SpoolDirectory), "The spool directory is null (no spool) or a path.");
        }
    }
}
