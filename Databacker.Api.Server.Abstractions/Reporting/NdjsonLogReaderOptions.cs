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

    /// <summary>
    /// The most JSON values nested in one line's <c>fields</c> and unknown members (default 4,096); more is a 413. Each
    /// is held as an object in memory, at many times its text: <c>[0,0,0,…]</c> costs about 40 bytes per 2 bytes sent.
    /// </summary>
    public int MaxNestedValuesPerLine { get; set; } = 4096;

    /// <summary>
    /// The most such values in one body read whole by <see cref="NdjsonLogReader.ReadAsync"/> (default 1,048,576, enough
    /// for every line of a full body to carry a dozen fields); more is a 413. Not applied by
    /// <see cref="NdjsonLogReader.ReadBatchesAsync"/>, which holds one batch at a time. It bounds what <see cref="NdjsonLogReader.ReadAsync"/> holds for one body: an 8 MiB body of
    /// lines of 4,000 nested zeros is refused after about 70 MiB, where it held 280 MiB without these limits. Use
    /// <see cref="NdjsonLogReader.ReadBatchesAsync"/> to hold one batch at a time instead.
    /// </summary>
    public long MaxNestedValuesPerBody { get; set; } = 1024 * 1024;
}
