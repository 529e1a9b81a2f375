using System.Net;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Contracts;
using Databacker.Samples.Hosting;
using Microsoft.Data.Sqlite;

namespace Databacker.Samples.Tests;

public sealed class InstanceIsolationTests : EndToEndTest
{
    [Test, CancelAfter(60_000)]
    public async Task A_second_instance_cannot_read_the_first_instances_configuration()
    {
        var controller = await StartControllerAsync();
        var (first, _) = await RegisterAsync(controller, "orders-db");
        var (second, secondKey) = await RegisterAsync(controller, "billing-db");
        await ConfigureAsync(controller, first);
        await ConfigureAsync(controller, second);
        await using var client = new DatabackerClientBuilder(o =>
        {
            o.Controller = controller.BaseUrl;
            o.InstanceId = second;
            o.KeySource = new PemFileKeySource(secondKey);
        }).Build();

        var own = await client.Orchestration.GetConfigAsync(second);
        var error = Assert.CatchAsync<DatabackerApiException>(() => client.Orchestration.GetConfigAsync(first));

        Assert.That(own.StatusCode, Is.EqualTo(200), "the control: its own configuration is readable");
        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test, CancelAfter(60_000)]
    public async Task An_agent_cannot_run_as_another_instance_with_its_own_key()
    {
        var controller = await StartControllerAsync();
        var (first, _) = await RegisterAsync(controller, "orders-db");
        var (_, secondKey) = await RegisterAsync(controller, "billing-db");
        await ConfigureAsync(controller, first);

        var (exitCode, agent) = await RunBackupAsync(controller.Url, first, secondKey, workScale: 0);

        Assert.That(exitCode, Is.EqualTo(1), agent.AllOutput);
        Assert.That(agent.AllOutput, Does.Contain("invalid_client").Or.Contain("401"));
        Assert.That(await RunsAsync(controller, first), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task An_event_id_another_instance_used_already_is_stored_for_this_instance_too()
    {
        var controller = await StartControllerAsync();
        var (first, firstKey) = await RegisterAsync(controller, "orders-db");
        var (second, secondKey) = await RegisterAsync(controller, "billing-db");
        var id = Guid.NewGuid();

        var firstReceipt = await PostRunStartedAsync(controller, first, firstKey, id, Guid.NewGuid());
        var secondRun = Guid.NewGuid();
        var secondReceipt = await PostRunStartedAsync(controller, second, secondKey, id, secondRun);
        var resent = await PostRunStartedAsync(controller, second, secondKey, id, secondRun);

        Assert.That((firstReceipt.Accepted, secondReceipt.Accepted), Is.EqualTo((1, 1)), "each instance's event is its own");
        Assert.That((resent.Accepted, resent.Duplicates), Is.EqualTo((0, 1)), "the control: the same instance resending it is a duplicate");
        Assert.That((await RunsAsync(controller, second)).Select(r => r.Id), Is.EqualTo(new[] { secondRun }));
    }

    [Test, CancelAfter(80_000)]
    public async Task A_database_of_the_first_schema_keeps_its_events_and_stores_events_per_instance_after_a_restart()
    {
        var controller = await StartControllerAsync();
        var (first, firstKey) = await RegisterAsync(controller, "orders-db");
        var (second, secondKey) = await RegisterAsync(controller, "billing-db");
        var id = Guid.NewGuid();
        var firstRun = Guid.NewGuid();
        await PostRunStartedAsync(controller, first, firstKey, id, firstRun);
        controller.Stop();

        // Back to the first schema: events keyed by id alone, no schema version.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(controller.DataDirectory, "controller.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = """
                BEGIN;
                CREATE TABLE events_v1 (id TEXT PRIMARY KEY, instance_id TEXT NOT NULL, run TEXT NOT NULL, timestamp_ms INTEGER NOT NULL, document TEXT NOT NULL);
                INSERT INTO events_v1 SELECT id, instance_id, run, timestamp_ms, document FROM events;
                DROP TABLE events;
                ALTER TABLE events_v1 RENAME TO events;
                PRAGMA user_version = 0;
                COMMIT;
                """;
            await downgrade.ExecuteNonQueryAsync();
        }

        await controller.StartAsync(StartTimeout);
        var secondRun = Guid.NewGuid();
        var receipt = await PostRunStartedAsync(controller, second, secondKey, id, secondRun);

        Assert.That(receipt.Accepted, Is.EqualTo(1), "the migrated table keys events per instance");
        Assert.That((await RunsAsync(controller, first)).Select(r => r.Id), Is.EqualTo(new[] { firstRun }), "the event stored before the migration is kept");
        Assert.That((await RunsAsync(controller, second)).Select(r => r.Id), Is.EqualTo(new[] { secondRun }));
    }

    private static async Task<EventReceipt> PostRunStartedAsync(SampleController controller, string instance, string keyFile, Guid id, Guid run)
    {
        await using var client = new DatabackerClientBuilder(o =>
        {
            o.Controller = controller.BaseUrl;
            o.InstanceId = instance;
            o.KeySource = new PemFileKeySource(keyFile);
        }).Build();
        var batch = new EventBatch { Events = [new Event { Id = id, Run = run, Type = EventType.RunStarted, Timestamp = DateTimeOffset.UtcNow }] };
        return await client.Reporting.PostEventsAsync(batch, instance);
    }
}
