using BenchmarkDotNet.Attributes;
using Databacker.Api.Contracts;

namespace Databacker.Api.Benchmarks.EventIngestion;

/// <summary>
/// Issue 8, item 5: events appended to the sample controller's SQLite store, with deduplication by event id, as
/// time per event (events/s = 10⁹ / ns), against raw single-transaction inserts of the same rows in the same run.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(BenchmarkJobs.Standard))]
public class EventIngestionBenchmarks
{
    /// <summary>Events per appended batch (per request).</summary>
    public const int BatchSize = 200;

    private EventIngestionStore _store = null!;

    /// <summary>Creates the database.</summary>
    [GlobalSetup]
    public void Setup() => _store = EventIngestionStore.CreateAsync(BatchSize).GetAwaiter().GetResult();

    /// <summary>Deletes the database.</summary>
    [GlobalCleanup]
    public void Cleanup() => _store.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Raw inserts of the same rows, fresh ids, one transaction.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize, Description = "Raw SQLite insert (fresh ids)")]
    public Task<int> RawInsert() => _store.InsertRawAsync();

    /// <summary>The store, every event new.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize, Description = "Store, fresh ids")]
    public Task<EventReceipt> FreshIds()
    {
        _store.RefreshIds();
        return _store.Store.AppendAsync(EventIngestionStore.InstanceId, _store.Batch);
    }

    /// <summary>The store, every event a duplicate (a resent batch).</summary>
    [Benchmark(OperationsPerInvoke = BatchSize, Description = "Store, all duplicates")]
    public Task<EventReceipt> DuplicateIds() => _store.Store.AppendAsync(EventIngestionStore.InstanceId, _store.Duplicates);
}
