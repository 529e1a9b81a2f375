using System.Security.Cryptography;
using System.Text;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Auth.Validation;
using Databacker.Api.Contracts;
using Databacker.Api.Server.Caching;
using Microsoft.Data.Sqlite;

namespace Databacker.Samples.Controller.Storage;

/// <summary>
/// Instances, their public keys and their configuration documents in SQLite. It is also the token endpoint's
/// <see cref="IInstanceKeyStore"/>: an agent authenticates with any key registered here.
/// </summary>
public sealed class SqliteInstanceStore(SqliteDatabase database, TimeProvider timeProvider) : IInstanceKeyStore
{
    private const int SqliteConstraint = 19;

    public async ValueTask<IReadOnlyList<RegisteredInstanceKey>> GetKeysAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, "SELECT kid, jwk FROM instance_keys WHERE instance_id = $id ORDER BY created_at", null, ("$id", instanceId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<RegisteredInstanceKey>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // Validated again on the way out: the file is outside this process's control.
            keys.Add(new RegisteredInstanceKey(reader.GetString(0), EcPublicJwkValidator.Validate(reader.GetString(1))));
        }

        return keys;
    }

    public async Task<bool> ExistsAsync(string instance, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, "SELECT 1 FROM instances WHERE id = $id", null, ("$id", instance));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Creates an instance with its first key (already validated), under a new id derived from its name.</summary>
    public async Task<StoreResult<Instance>> CreateAsync(InstanceCreate create, EcPublicJwk key, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await KeyOwnerAsync(connection, transaction, key.ComputeThumbprint(), cancellationToken).ConfigureAwait(false) is not null)
        {
            return StoreResult<Instance>.Fail(StoreOutcome.Conflict, "This public key is already registered.");
        }

        var id = NewInstanceId(create.Name);
        await using (var insert = SqliteDatabase.Command(connection,
            "INSERT INTO instances (id, name, description, services, created_at) VALUES ($id, $name, $description, $services, $created)", transaction,
            ("$id", id), ("$name", create.Name), ("$description", create.Description),
            ("$services", StoredJson.Serialize(create.Services.Distinct().ToList())), ("$created", StoredJson.Timestamp(now))))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await InsertKeyAsync(connection, transaction, id, key, now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return StoreResult<Instance>.Done((await GetAsync(id, cancellationToken).ConfigureAwait(false))!);
    }

    public async Task<Instance?> GetAsync(string instance, CancellationToken cancellationToken)
    {
        var page = await ListAsync(1, null, instance, cancellationToken).ConfigureAwait(false);
        return page.Items.FirstOrDefault();
    }

    /// <summary>A page of instances in id order, starting after <paramref name="afterId"/>.</summary>
    public async Task<(IReadOnlyList<Instance> Items, string? LastId)> ListAsync(int limit, string? afterId, CancellationToken cancellationToken) =>
        await ListAsync(limit, afterId, null, cancellationToken).ConfigureAwait(false);

    public async Task<StoreResult<Instance>> UpdateAsync(string instance, InstanceUpdate update, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = SqliteDatabase.Command(connection, """
            UPDATE instances SET
                name = COALESCE($name, name),
                description = CASE WHEN $setDescription THEN $description ELSE description END,
                services = COALESCE($services, services),
                updated_at = $updated
            WHERE id = $id
            """, null,
            ("$id", instance), ("$name", update.Name), ("$setDescription", update.Description is not null), ("$description", update.Description),
            ("$services", update.Services is null ? null : StoredJson.Serialize(update.Services.Distinct().ToList())),
            ("$updated", StoredJson.Timestamp(timeProvider.GetUtcNow()))))
        {
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return StoreResult<Instance>.Fail(StoreOutcome.NotFound);
            }
        }

        return StoreResult<Instance>.Done((await GetAsync(instance, cancellationToken).ConfigureAwait(false))!);
    }

    /// <summary>Deletes an instance with its keys, configuration, events and logs.</summary>
    public async Task<bool> DeleteAsync(string instance, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var sql in new[] { "DELETE FROM log_lines WHERE instance_id = $id", "DELETE FROM events WHERE instance_id = $id" })
        {
            await using var purge = SqliteDatabase.Command(connection, sql, transaction, ("$id", instance));
            await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var delete = SqliteDatabase.Command(connection, "DELETE FROM instances WHERE id = $id", transaction, ("$id", instance));
        var deleted = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>The instance's keys; null when the instance does not exist.</summary>
    public async Task<IReadOnlyList<InstanceKey>?> ListKeysAsync(string instance, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!await ExistsAsync(connection, null, instance, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        await using var command = SqliteDatabase.Command(connection, "SELECT kid, jwk, created_at FROM instance_keys WHERE instance_id = $id ORDER BY created_at, kid", null, ("$id", instance));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<InstanceKey>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(ToInstanceKey(reader.GetString(0), EcPublicJwkValidator.Validate(reader.GetString(1)), StoredJson.ParseTimestamp(reader.GetString(2))));
        }

        return keys;
    }

    /// <summary>Registers another key (already validated, its kid set) for an instance.</summary>
    public async Task<StoreResult<InstanceKey>> AddKeyAsync(string instance, EcPublicJwk key, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await ExistsAsync(connection, transaction, instance, cancellationToken).ConfigureAwait(false))
        {
            return StoreResult<InstanceKey>.Fail(StoreOutcome.NotFound);
        }

        if (await KeyOwnerAsync(connection, transaction, key.ComputeThumbprint(), cancellationToken).ConfigureAwait(false) is not null)
        {
            return StoreResult<InstanceKey>.Fail(StoreOutcome.Conflict, "This public key is already registered.");
        }

        try
        {
            await InsertKeyAsync(connection, transaction, instance, key, now, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException error) when (error.SqliteErrorCode == SqliteConstraint)
        {
            return StoreResult<InstanceKey>.Fail(StoreOutcome.Conflict, $"The instance already has a key with kid '{key.Kid}'.");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return StoreResult<InstanceKey>.Done(ToInstanceKey(key.Kid!, key, now));
    }

    /// <summary>Removes a key, unless it is the instance's last one.</summary>
    public async Task<StoreResult<bool>> RemoveKeyAsync(string instance, string kid, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var count = SqliteDatabase.Command(connection,
            "SELECT COUNT(*), SUM(kid = $kid) FROM instance_keys WHERE instance_id = $id", transaction, ("$id", instance), ("$kid", kid));
        await using (var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var total = reader.GetInt64(0);
            var matching = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
            if (matching == 0)
            {
                return StoreResult<bool>.Fail(StoreOutcome.NotFound);
            }

            if (total == 1)
            {
                return StoreResult<bool>.Fail(StoreOutcome.Conflict, "This is the instance's last key; add the new key first.");
            }
        }

        await using var delete = SqliteDatabase.Command(connection, "DELETE FROM instance_keys WHERE instance_id = $id AND kid = $kid", transaction, ("$id", instance), ("$kid", kid));
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return StoreResult<bool>.Done(true);
    }

    /// <summary>The instance's configuration and its ETag; null when there is none (or no such instance).</summary>
    public async Task<(ConfigDocument Document, string ETag)?> GetConfigAsync(string instance, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, "SELECT document, etag FROM configurations WHERE instance_id = $id", null, ("$id", instance));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return (StoredJson.Deserialize<ConfigDocument>(reader.GetString(0)), reader.GetString(1));
    }

    /// <summary>Stores a configuration, if <paramref name="ifMatch"/> (when given) matches the current ETag.</summary>
    public async Task<StoreResult<string>> PutConfigAsync(string instance, ConfigDocument document, string? ifMatch, CancellationToken cancellationToken)
    {
        var json = StoredJson.Serialize(document);
        var entityTag = CanonicalEntityTag.Compute(StoredJson.Deserialize<ConfigDocument>(json));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await ExistsAsync(connection, transaction, instance, cancellationToken).ConfigureAwait(false))
        {
            return StoreResult<string>.Fail(StoreOutcome.NotFound);
        }

        if (!string.IsNullOrWhiteSpace(ifMatch))
        {
            await using var current = SqliteDatabase.Command(connection, "SELECT etag FROM configurations WHERE instance_id = $id", transaction, ("$id", instance));
            var currentTag = await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            if (!IfMatch(ifMatch, currentTag))
            {
                return StoreResult<string>.Fail(StoreOutcome.PreconditionFailed,
                    currentTag is null ? "The instance has no configuration yet." : "The configuration has changed since that ETag.");
            }
        }

        await using (var upsert = SqliteDatabase.Command(connection, """
            INSERT INTO configurations (instance_id, document, etag, updated_at) VALUES ($id, $document, $etag, $updated)
            ON CONFLICT (instance_id) DO UPDATE SET document = excluded.document, etag = excluded.etag, updated_at = excluded.updated_at
            """, transaction,
            ("$id", instance), ("$document", json), ("$etag", entityTag), ("$updated", StoredJson.Timestamp(timeProvider.GetUtcNow()))))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return StoreResult<string>.Done(entityTag);
    }

    // If-Match uses the strong comparison (RFC 9110 section 13.1.1): "*" or a listed tag equal to the current one, never W/.
    private static bool IfMatch(string header, string? current)
    {
        if (current is null)
        {
            return false;
        }

        return header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(tag => tag == "*" || string.Equals(tag, current, StringComparison.Ordinal));
    }

    private async Task<(IReadOnlyList<Instance> Items, string? LastId)> ListAsync(int limit, string? afterId, string? onlyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = SqliteDatabase.Command(connection, """
            SELECT i.id, i.name, i.description, i.services, i.created_at, i.updated_at,
                   (SELECT json_group_array(kid) FROM (SELECT kid FROM instance_keys k WHERE k.instance_id = i.id ORDER BY created_at, kid))
            FROM instances i
            WHERE ($only IS NULL OR i.id = $only) AND ($after IS NULL OR i.id > $after)
            ORDER BY i.id
            LIMIT $limit
            """, null, ("$only", onlyId), ("$after", afterId), ("$limit", limit + 1));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<Instance>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(new Instance
            {
                Id = reader.GetString(0),
                Name = reader.GetString(1),
                Description = reader.IsDBNull(2) ? null : reader.GetString(2),
                Services = StoredJson.Deserialize<List<ServiceName>>(reader.GetString(3)),
                CreatedAt = StoredJson.ParseTimestamp(reader.GetString(4)),
                UpdatedAt = reader.IsDBNull(5) ? null : StoredJson.ParseTimestamp(reader.GetString(5)),
                Keys = StoredJson.Deserialize<List<string>>(reader.GetString(6)),
            });
        }

        if (items.Count <= limit)
        {
            return (items, null);
        }

        items.RemoveAt(items.Count - 1);
        return (items, items[^1].Id);
    }

    private static async Task<bool> ExistsAsync(SqliteConnection connection, SqliteTransaction? transaction, string instance, CancellationToken cancellationToken)
    {
        await using var command = SqliteDatabase.Command(connection, "SELECT 1 FROM instances WHERE id = $id", transaction, ("$id", instance));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    private static async Task<string?> KeyOwnerAsync(SqliteConnection connection, SqliteTransaction transaction, string thumbprint, CancellationToken cancellationToken)
    {
        await using var command = SqliteDatabase.Command(connection, "SELECT instance_id FROM instance_keys WHERE thumbprint = $t", transaction, ("$t", thumbprint));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private static async Task InsertKeyAsync(SqliteConnection connection, SqliteTransaction transaction, string instance, EcPublicJwk key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = SqliteDatabase.Command(connection,
            "INSERT INTO instance_keys (instance_id, kid, thumbprint, jwk, created_at) VALUES ($id, $kid, $thumbprint, $jwk, $created)", transaction,
            ("$id", instance), ("$kid", key.Kid), ("$thumbprint", key.ComputeThumbprint()), ("$jwk", key.ToJson()), ("$created", StoredJson.Timestamp(now)));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static InstanceKey ToInstanceKey(string kid, EcPublicJwk key, DateTimeOffset createdAt) =>
        new() { Kid = kid, PublicKey = JwkMapping.ToContract(key), CreatedAt = createdAt };

    // A readable, unguessable id: the name's slug and 48 random bits, within the InstanceId pattern.
    private static string NewInstanceId(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            if (slug.Length >= 40)
            {
                break;
            }

            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var stem = slug.ToString().Trim('-');
        return (stem.Length == 0 ? "instance" : stem) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    }
}
