namespace Databacker.Api.Client.Reporting;

/// <summary>Where and how much the durable outbox spools.</summary>
public sealed class FileOutboxOptions
{
    /// <summary>The spool directory; created if missing. Give each agent instance its own.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>The most bytes spooled at once (default 256 MiB).</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>When a segment file is closed and a new one started (default 4 MiB).</summary>
    public long SegmentBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>What happens when the outbox is full (default <see cref="OutboxFullPolicy.Reject"/>).</summary>
    public OutboxFullPolicy WhenFull { get; set; } = OutboxFullPolicy.Reject;
}
