using System.Runtime.CompilerServices;
using Databacker.Api.Contracts;
using Databacker.Api.Server.Reporting;
using Microsoft.Data.Sqlite;

namespace Databacker.Samples.Controller.Storage;

/// <summary>
/// Log lines and run events in SQLite, with the deduplication contract of <see cref="ILogStore"/> and
/// <see cref="IEventStore"/> carried by primary keys: (instance, run, seq) for lines, (instance, event id) for events.
/// Every append is one transaction, so a request is stored whole or not at all.
/// </summary>
public sealed class SqliteReportingStore(SqliteDatabase database) : ILogStore, IEventStore
{
    public async Task<LogReceipt> AppendAsync(string instance, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        long accepted = 0;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = SqliteDatabase.Command(connection,
            "INSERT INTO log_lines (instance_id, run, seq, document) VALUES ($instance, $run, $seq, $document) ON CONFLICT DO NOTHING", transaction,
            ("$instance", instance), ("$run", ""), ("$seq", 0L), ("$document", "")))
        {
            insert.Prepare();
            foreach (var entry in entries)
            {
                insert.Parameters["$run"].Value = RunKey(entry.Run);
                insert.Parameters["$seq"].Value = entry.Seq;
                insert.Parameters["$document"].Value = StoredJson.Serialize(entry);
                accepted += await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var last = entries.Count == 0 ? null : entries[^1];
        long? lastSeq = null;
        if (last is not null)
        {
            await using var max = SqliteDatabase.Command(connection, "SELECT MAX(seq) FROM log_lines WHERE instance_id = $instance AND run = $run", transaction,
                ("$instance", instance), ("$run", RunKey(last.Run)));
            lastSeq = await max.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long seq ? seq : null;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new LogReceipt { Accepted = accepted, Duplicates = entries.Count - accepted, Run = last?.Run, LastSeq = lastSeq };
    }

    public async IAsyncEnumerable<LogEntry> ReadAsync(string instance, Guid run, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // One reader over the primary key, row by row: the log is never loaded whole. In WAL mode this long read
        // sees a snapshot and does not block agents appending meanwhile.
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, "SELECT document FROM log_lines WHERE instance_id = $instance AND run = $run ORDER BY seq", null,
            ("$instance", instance), ("$run", RunKey(run)));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return StoredJson.Deserialize<LogEntry>(reader.GetString(0));
        }
    }

    /// <summary>Whether the run has any log line.</summary>
    public async Task<bool> HasLogAsync(string instance, Guid run, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, "SELECT 1 FROM log_lines WHERE instance_id = $instance AND run = $run LIMIT 1", null,
            ("$instance", instance), ("$run", RunKey(run)));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task<EventReceipt> AppendAsync(string instance, IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var accepted = 0;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = SqliteDatabase.Command(connection,
            "INSERT INTO events (id, instance_id, run, timestamp_ms, document) VALUES ($id, $instance, $run, $ts, $document) ON CONFLICT (instance_id, id) DO NOTHING", transaction,
            ("$id", ""), ("$instance", instance), ("$run", ""), ("$ts", 0L), ("$document", "")))
        {
            insert.Prepare();
            foreach (var e in events)
            {
                insert.Parameters["$id"].Value = RunKey(e.Id);
                insert.Parameters["$run"].Value = RunKey(e.Run);
                insert.Parameters["$ts"].Value = e.Timestamp.ToUnixTimeMilliseconds();
                insert.Parameters["$document"].Value = StoredJson.Serialize(e);
                accepted += await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new EventReceipt { Accepted = accepted, Duplicates = events.Count - accepted };
    }

    public async Task<IReadOnlyList<Event>> ListAsync(string instance, Guid? run = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, """
            SELECT document FROM events
            WHERE instance_id = $instance AND ($run IS NULL OR run = $run)
            ORDER BY timestamp_ms, rowid
            """, null, ("$instance", instance), ("$run", run is { } r ? RunKey(r) : null));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<Event>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(StoredJson.Deserialize<Event>(reader.GetString(0)));
        }

        return events;
    }

    private static string RunKey(Guid id) => id.ToString("D");
}
