namespace Databacker.Api.Server.Reporting;

/// <summary>Limits the log endpoint enforces while it reads an NDJSON body.</summary>
public sealed class NdjsonLogReaderOptions
{
    /// <summary>The largest body accepted, in bytes (default 8 MiB); a larger one is a 413.</summary>
    public long MaxBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The longest line accepted, in bytes (default 128 KiB).</summary>
    public int MaxLineBytes { get; set; } = 128 * 1024;

    /// <summary>The most lines in one body (default 100,000).</summary>
    public int MaxLines { get; set; } = 100_000;
}
