using Microsoft.Data.Sqlite;

namespace Databacker.Samples.Controller.Storage;

/// <summary>
/// The controller's embedded SQLite database: one file in the data directory, in WAL mode so readers never block the
/// writer and two controller processes (say an orchestration-only and a reporting-only endpoint) can share it.
/// Connections are opened per operation; Microsoft.Data.Sqlite pools them.
/// </summary>
public sealed class SqliteDatabase
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS instances (
            id          TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            description TEXT,
            services    TEXT NOT NULL,      -- JSON array of service names
            created_at  TEXT NOT NULL,      -- RFC 3339
            updated_at  TEXT
        );
        CREATE TABLE IF NOT EXISTS instance_keys (
            instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
            kid         TEXT NOT NULL,
            thumbprint  TEXT NOT NULL UNIQUE, -- RFC 7638; a key belongs to one instance only
            jwk         TEXT NOT NULL,        -- the validated public JWK
            created_at  TEXT NOT NULL,
            PRIMARY KEY (instance_id, kid)
        );
        CREATE TABLE IF NOT EXISTS configurations (
            instance_id TEXT PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
            document    TEXT NOT NULL,
            etag        TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS events (
            id           TEXT NOT NULL,       -- the event's UUID
            instance_id  TEXT NOT NULL,
            run          TEXT NOT NULL,
            timestamp_ms INTEGER NOT NULL,
            document     TEXT NOT NULL,
            PRIMARY KEY (instance_id, id)     -- a resent event is a duplicate; another instance's ids are not
        );
        CREATE INDEX IF NOT EXISTS events_by_run ON events (instance_id, run, timestamp_ms);
        CREATE TABLE IF NOT EXISTS log_lines (
            instance_id TEXT NOT NULL,
            run         TEXT NOT NULL,
            seq         INTEGER NOT NULL,
            document    TEXT NOT NULL,
            PRIMARY KEY (instance_id, run, seq) -- a resent line is a duplicate
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS replay_cache (
            client_id  TEXT NOT NULL,
            jti        TEXT NOT NULL,
            expires_ms INTEGER NOT NULL,
            PRIMARY KEY (client_id, jti)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS replay_cache_by_expiry ON replay_cache (expires_ms);
        """;

    // Version 1 (no user_version yet) keyed events by id alone, across instances: an instance whose event reused the
    // id of another instance's event had it counted as a duplicate and dropped. Version 2 keys them per instance.
    private const int SchemaVersion = 2;

    private const string MigrateEventsToVersion2 = """
        CREATE TABLE events_v2 (
            id           TEXT NOT NULL,
            instance_id  TEXT NOT NULL,
            run          TEXT NOT NULL,
            timestamp_ms INTEGER NOT NULL,
            document     TEXT NOT NULL,
            PRIMARY KEY (instance_id, id)
        );
        INSERT INTO events_v2 (rowid, id, instance_id, run, timestamp_ms, document)
            SELECT rowid, id, instance_id, run, timestamp_ms, document FROM events;
        DROP TABLE events;
        ALTER TABLE events_v2 RENAME TO events;
        """;

    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    /// <summary>Creates the schema if needed and switches the file to WAL mode.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var wal = connection.CreateCommand())
        {
            // Persistent: recorded in the file, so every later connection (of any process) uses WAL too.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var version = Command(connection, "PRAGMA user_version", transaction))
        {
            var current = Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            if (current > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"The database {Path} has schema version {current}, newer than this controller's {SchemaVersion}; use a newer controller.");
            }
        }

        await using (var keyColumns = Command(connection, "SELECT COUNT(*) FROM pragma_table_info('events') WHERE pk > 0", transaction))
        {
            // One key column: a version 1 events table (keyed by id alone), moved to the per-instance key with its rows.
            if (Convert.ToInt64(await keyColumns.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 1)
            {
                await using var migrate = Command(connection, MigrateEventsToVersion2, transaction);
                await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var schema = Command(connection, Schema + $"PRAGMA user_version = {SchemaVersion};", transaction))
        {
            await schema.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a connection with the per-connection settings.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragmas = connection.CreateCommand();

            // NORMAL is durable across a crash of this process in WAL mode (only power loss can lose the last commits).
            pragmas.CommandText = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A command with positional-free named parameters.</summary>
    public static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}
