namespace Databacker.Api.Client.Reporting;

/// <summary>What a log upload delivered.</summary>
/// <param name="Lines">Lines sent and acknowledged.</param>
/// <param name="Requests">Requests that were acknowledged (a 413 split counts each half).</param>
/// <param name="Bytes">NDJSON bytes acknowledged.</param>
public sealed record LogUploadSummary(long Lines, int Requests, long Bytes);
