using Databacker.Api.Auth.Replay;
using Microsoft.Data.Sqlite;

namespace Databacker.Samples.Controller.Storage;

/// <summary>
/// The token endpoint's replay cache in SQLite: an insert that fails on the (client id, jti) primary key is a replay.
/// Atomic across threads and processes sharing the file, and it survives a restart, so an assertion captured before
/// a restart cannot be used after it.
/// </summary>
internal sealed class SqliteReplayCache(SqliteDatabase database, TimeProvider timeProvider) : IReplayCache
{
    public async ValueTask<bool> TryAddAsync(string clientId, string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(tokenId);
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Forget what has expired first, so an expired pair does not count as a replay and the table stays small.
        await using (var purge = SqliteDatabase.Command(connection, "DELETE FROM replay_cache WHERE expires_ms <= $now", transaction, ("$now", now)))
        {
            await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var insert = SqliteDatabase.Command(connection,
            "INSERT INTO replay_cache (client_id, jti, expires_ms) VALUES ($client, $jti, $expires) ON CONFLICT DO NOTHING", transaction,
            ("$client", clientId), ("$jti", tokenId), ("$expires", expiresAt.ToUnixTimeMilliseconds()));
        var added = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }
}
