using Databacker.Api.Contracts;

namespace Databacker.Api.Server.Reporting;

/// <summary>
/// Where a controller keeps the events agents send. Deduplication contract: an event is identified by its instance
/// and its id; appending an event whose id that instance already stored changes nothing and is counted as a
/// duplicate. Another instance's event with the same id is a different event (one instance cannot suppress another's).
/// </summary>
public interface IEventStore
{
    /// <summary>Stores the new events of a batch.</summary>
    /// <param name="instance">The instance that sent them.</param>
    /// <param name="events">The events.</param>
    /// <param name="cancellationToken">Stops the operation.</param>
    /// <returns>How many were new and how many duplicates.</returns>
    Task<EventReceipt> AppendAsync(string instance, IReadOnlyList<Event> events, CancellationToken cancellationToken = default);

    /// <summary>The events of an instance, optionally of one run, in timestamp order.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="run">One run, or all runs when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the operation.</param>
    /// <returns>The events.</returns>
    Task<IReadOnlyList<Event>> ListAsync(string instance, Guid? run = null, CancellationToken cancellationToken = default);
}
