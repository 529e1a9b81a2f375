using Databacker.Api.Contracts;

namespace Databacker.Api.Server.Reporting;

/// <summary>
/// Where a controller keeps the log lines agents send. Implementations must honour the deduplication contract:
/// a line is identified by (instance, run, seq); appending a line that is already stored changes nothing and is
/// counted as a duplicate; an append stores all of its new lines or none of them.
/// </summary>
public interface ILogStore
{
    /// <summary>Stores the new lines of a validated body atomically.</summary>
    /// <param name="instance">The instance that sent them.</param>
    /// <param name="entries">The lines, in body order.</param>
    /// <param name="cancellationToken">Stops the operation.</param>
    /// <returns>How many lines were new and how many duplicates.</returns>
    Task<LogReceipt> AppendAsync(string instance, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>Streams one run's lines back in sequence order, without loading them all.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The lines.</returns>
    IAsyncEnumerable<LogEntry> ReadAsync(string instance, Guid run, CancellationToken cancellationToken = default);
}
