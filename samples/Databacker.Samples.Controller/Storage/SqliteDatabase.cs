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
            id           TEXT PRIMARY KEY,    -- the event's UUID: a resent event is a duplicate
            instance_id  TEXT NOT NULL,
            run          TEXT NOT NULL,
            timestamp_ms INTEGER NOT NULL,
            document     TEXT NOT NULL
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
        await using (var schema = connection.CreateCommand())
        {
            schema.Transaction = transaction;
            schema.CommandText = Schema;
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
