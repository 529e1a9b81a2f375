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

    /// <summary>
    /// The most JSON values (each string, number, literal, object and array) one JSON body may hold; more is a 413.
    /// Default 65,536: a full batch of 1,000 events with a dozen attributes each is about 20,000. Json.NET holds free-form
    /// values as objects at 20 to 40 times their text, so without this a 1 MiB body of <c>[0,0,0,…]</c> took about 40 MiB.
    /// </summary>
    public long MaxJsonValues { get; set; } = 65_536;

    /// <summary>The limit of an operation.</summary>
    /// <param name="operationId">The operation id; null for requests outside the API.</param>
    /// <returns>The limit in bytes.</returns>
    public long For(string? operationId) =>
        operationId is not null && Operations.TryGetValue(operationId, out var limit) ? limit : DefaultMaxBytes;
}
