namespace Databacker.Api.Client.Reporting;

/// <summary>What a log upload delivered.</summary>
/// <param name="Lines">Lines sent and acknowledged.</param>
/// <param name="Requests">Requests that were acknowledged (a 413 split counts each half).</param>
/// <param name="Bytes">NDJSON bytes acknowledged.</param>
public sealed record LogUploadSummary(long Lines, int Requests, long Bytes)
{
    /// <summary>Requests sent again after failing on the way (transport error, timeout, 5xx, 429), up to
    /// <see cref="LogUploaderOptions.MaxResends"/> per request; not counted in <see cref="Requests"/>. A controller
    /// stores resent lines once, so this is a health signal, not a count of duplicates.</summary>
    public int Resends { get; init; }
}
