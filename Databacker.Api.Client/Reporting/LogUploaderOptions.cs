namespace Databacker.Api.Client.Reporting;

/// <summary>How the log uploader cuts a run's log into requests.</summary>
public sealed class LogUploaderOptions
{
    /// <summary>The most bytes of NDJSON in one request (default 256 KiB). Memory use is bounded by this.</summary>
    public int MaxChunkBytes { get; set; } = 256 * 1024;

    /// <summary>The longest a line waits before its chunk is sent, even if the chunk is not full (default 2 s).</summary>
    public TimeSpan MaxChunkDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest message kept in one line, in characters (default 64 Ki); longer ones are cut and marked.</summary>
    public int MaxMessageLength { get; set; } = 64 * 1024;

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChunkBytes, 1024, nameof(MaxChunkBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxChunkDelay, TimeSpan.Zero, nameof(MaxChunkDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageLength, 256, nameof(MaxMessageLength));
    }
}
