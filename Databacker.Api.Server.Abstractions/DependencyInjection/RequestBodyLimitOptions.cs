namespace Databacker.Api.Server.DependencyInjection;

/// <summary>
/// Request body size limits, per operation. Bodies over the limit are answered 413 with problem details stating the
/// limit, before they are read when <c>Content-Length</c> says so, otherwise as soon as the limit is crossed.
/// </summary>
public sealed class RequestBodyLimitOptions
{
    /// <summary>The limit of every operation not listed in <see cref="Operations"/>, in bytes. Default 256 KiB.</summary>
    public long DefaultMaxBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Limits per operation id, in bytes. By default log streams (<c>Reporting_PostLogs</c>) may be 16 MiB and event
    /// batches (<c>Reporting_PostEvents</c>) 1 MiB.
    /// </summary>
    public IDictionary<string, long> Operations { get; } = new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["Reporting_PostLogs"] = 16 * 1024 * 1024,
        ["Reporting_PostEvents"] = 1024 * 1024,
    };

    /// <summary>The limit of an operation.</summary>
    /// <param name="operationId">The operation id; null for requests outside the API.</param>
    /// <returns>The limit in bytes.</returns>
    public long For(string? operationId) =>
        operationId is not null && Operations.TryGetValue(operationId, out var limit) ? limit : DefaultMaxBytes;
}
