namespace Databacker.Api.Client.Reporting;

/// <summary>How the log uploader cuts a run's log into requests.</summary>
public sealed class LogUploaderOptions
{
    /// <summary>
    /// The most bytes of NDJSON in one request (default 4 MiB, half the 8 MiB log body limit of a controller built on
    /// the server abstractions; at least 1 KiB). Memory use is bounded by twice this (8 MiB by default): a request's
    /// lines are kept until it is acknowledged, so a 413 can be split, while the next chunk is encoded. A controller
    /// with a smaller limit costs one split: after a 413, the upload caps its later requests at the largest size the
    /// controller then accepted.
    /// </summary>
    public int MaxChunkBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The longest a request stays open after its first line, even if the chunk is not full (default 2 s). Keep it
    /// short: a request whose body trickles slowly for long may be cut off by the server's minimum data rate.
    /// </summary>
    public TimeSpan MaxChunkDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The longest message of one line, in characters (default and at most 64 Ki, the contract's limit; at least 256);
    /// longer ones are cut and end with " [truncated]", within this length.
    /// </summary>
    public int MaxMessageLength { get; set; } = 64 * 1024;

    /// <summary>How many lines a <see cref="LogUploadSession"/> holds before its writers wait (default 1024).</summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>
    /// How often a request that failed on the way (a transport error, a timeout, a 408, 429, 500, 502, 503 or 504, or a
    /// redirect that needs the body again) is sent again from the lines the uploader kept (default 3; 0 to fail at
    /// once). The pipeline cannot retry these itself: their body was a stream, already read. The controller
    /// deduplicates resent lines by (run, seq), so lines it had received before the failure are not stored twice.
    /// </summary>
    public int MaxResends { get; set; } = 3;

    /// <summary>
    /// The wait before the first resend (default 1 s); it doubles before each further one. A <c>Retry-After</c> the
    /// controller gave (<see cref="Exceptions.RateLimitedException.RetryAfter"/>) is waited instead when it is longer, up
    /// to one minute.
    /// </summary>
    public TimeSpan ResendDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChunkBytes, 1024, nameof(MaxChunkBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxChunkDelay, TimeSpan.Zero, nameof(MaxChunkDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageLength, 256, nameof(MaxMessageLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxMessageLength, 64 * 1024, nameof(MaxMessageLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxResends, nameof(MaxResends));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxResends, 10, nameof(MaxResends));
        ArgumentOutOfRangeException.ThrowIfLessThan(ResendDelay, TimeSpan.Zero, nameof(ResendDelay));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ResendDelay, TimeSpan.FromMinutes(1), nameof(ResendDelay));
    }
}
