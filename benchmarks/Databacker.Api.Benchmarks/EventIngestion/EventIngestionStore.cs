using Databacker.Api.Contracts;
using Databacker.Samples.Controller.Storage;
using Microsoft.Data.Sqlite;
using Newtonsoft.Json;

namespace Databacker.Api.Benchmarks.EventIngestion;

/// <summary>
/// The sample controller's SQLite store in a temporary file, a batch of events for it, and the baseline: the same rows
/// inserted raw (one prepared <c>INSERT</c>, one transaction, an already open connection, documents serialized
/// beforehand, no deduplication).
/// </summary>
public sealed class EventIngestionStore : IAsyncDisposable
{
    /// <summary>The instance the events belong to.</summary>
    public const string InstanceId = "bench-instance";

    private readonly string _directory;
    private readonly SqliteConnection _raw;
    private readonly SqliteCommand _rawInsert;
    private readonly string[] _documents;

    private EventIngestionStore(string directory, SqliteDatabase database, SqliteConnection raw, int batchSize)
    {
        _directory = directory;
        Store = new SqliteReportingStore(database);
        _raw = raw;
        var run = Guid.NewGuid();
        var start = new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
        Batch = Enumerable.Range(0, batchSize).Select(i => new Event
        {
            Id = Guid.NewGuid(),
            Run = run,
            Type = (i % 3) switch { 0 => EventType.DumpStarted, 1 => EventType.DumpFinished, _ => EventType.UploadFinished },
            Timestamp = start.AddMilliseconds(i),
            Database = "orders",
        }).ToArray();
        Duplicates = Batch.Select(e => new Event { Id = e.Id, Run = e.Run, Type = e.Type, Timestamp = e.Timestamp, Database = e.Database }).ToArray();
        _documents = Batch.Select(e => JsonConvert.SerializeObject(e)).ToArray();
        _rawInsert = raw.CreateCommand();
        _rawInsert.CommandText = "INSERT INTO raw_events (id, instance_id, run, timestamp_ms, document) VALUES ($id, $instance, $run, $ts, $document)";
        _rawInsert.Parameters.AddWithValue("$id", "");
        _rawInsert.Parameters.AddWithValue("$instance", InstanceId);
        _rawInsert.Parameters.AddWithValue("$run", "");
        _rawInsert.Parameters.AddWithValue("$ts", 0L);
        _rawInsert.Parameters.AddWithValue("$document", "");
        _rawInsert.Prepare();
    }

    /// <summary>The sample controller's store.</summary>
    public SqliteReportingStore Store { get; }

    /// <summary>The batch appended with fresh ids (<see cref="RefreshIds"/>) on every call.</summary>
    public Event[] Batch { get; }

    /// <summary>A batch whose ids are all stored already.</summary>
    public Event[] Duplicates { get; }

    /// <summary>Creates the database (the controller's schema, WAL) and stores <see cref="Duplicates"/> once.</summary>
    /// <param name="batchSize">Events per batch.</param>
    public static async Task<EventIngestionStore> CreateAsync(int batchSize)
    {
        var directory = Directory.CreateTempSubdirectory("databacker-bench-").FullName;
        var database = new SqliteDatabase(Path.Combine(directory, "controller.db"));
        await database.InitializeAsync(CancellationToken.None).ConfigureAwait(false);
        var raw = await database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using (var table = raw.CreateCommand())
        {
            table.CommandText = "CREATE TABLE raw_events (id TEXT PRIMARY KEY, instance_id TEXT NOT NULL, run TEXT NOT NULL, timestamp_ms INTEGER NOT NULL, document TEXT NOT NULL)";
            await table.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        var store = new EventIngestionStore(directory, database, raw, batchSize);
        await store.Store.AppendAsync(InstanceId, store.Duplicates).ConfigureAwait(false);
        return store;
    }

    /// <summary>Gives every event of <see cref="Batch"/> a new id.</summary>
    public void RefreshIds()
    {
        foreach (var e in Batch)
        {
            e.Id = Guid.NewGuid();
        }
    }

    /// <summary>The baseline: the batch's rows with fresh ids, inserted raw in one transaction.</summary>
    /// <returns>Rows inserted.</returns>
    public async Task<int> InsertRawAsync()
    {
        var inserted = 0;
        await using var transaction = (SqliteTransaction)await _raw.BeginTransactionAsync().ConfigureAwait(false);
        _rawInsert.Transaction = transaction;
        for (var i = 0; i < Batch.Length; i++)
        {
            var e = Batch[i];
            _rawInsert.Parameters[0].Value = Guid.NewGuid().ToString("D");
            _rawInsert.Parameters[2].Value = e.Run.ToString("D");
            _rawInsert.Parameters[3].Value = e.Timestamp.ToUnixTimeMilliseconds();
            _rawInsert.Parameters[4].Value = _documents[i];
            inserted += await _rawInsert.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return inserted;
    }

    /// <summary>Closes the connection and deletes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        await _rawInsert.DisposeAsync().ConfigureAwait(false);
        await _raw.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
