using Databacker.Api.Contracts;

namespace Databacker.Samples.Tests;

public sealed class AgentKilledTests : EndToEndTest
{
    [Test, CancelAfter(80_000)]
    public async Task An_agent_killed_mid_run_loses_nothing_it_reported_and_the_next_run_completes_and_closes_the_killed_one()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance);
        var slow = StartAgent(RunArguments(controller.Url, instance, keyFile, workScale: 5));
        // Half-way through the second dump: the first dump's events were spooled at its end, and its log lines are
        // older than the uploader's chunk delay (300 ms), so they were spooled too.
        await slow.WaitForLineAsync(l => l.StartsWith("  dump customers:  50%", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        slow.Kill(); // SIGKILL: no chance to flush or clean up
        var (exitCode, next) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);

        Assert.That(exitCode, Is.Zero, next.AllOutput);
        Assert.That(next.AllOutput, Does.Contain("did not finish"));
        var runs = await RunsAsync(controller, instance);
        Assert.That(runs, Has.Count.EqualTo(2));
        var killed = runs.Single(r => r.Events.Any(e => e.Type == EventType.RunFailed));
        var completed = runs.Single(r => r.Id != killed.Id);
        var killedLog = await LogAsync(controller, instance, killed.Id);
        Assert.Multiple(() =>
        {
            Assert.That(completed.Status, Is.EqualTo(RunStatus.Succeeded));
            Assert.That(killed.Status, Is.EqualTo(RunStatus.Failed));
            Assert.That(killed.Error, Does.Contain("stopped before the run finished"));
            Assert.That(killed.Events.Select(e => e.Type.Value), Does.Contain("run-started").And.Contain("pre-backup-script-finished"));
            Assert.That(killed.Events.Where(e => e.Type == EventType.DumpFinished).Select(e => e.Database), Is.EqualTo(new[] { "orders" }),
                "the dump finished before the kill was reported, once");
            Assert.That(runs.SelectMany(r => r.Events).Select(e => e.Id), Is.Unique);
            Assert.That(killedLog.Select(l => l.Seq), Is.Unique);
            Assert.That(killedLog.Select(l => l.Message), Has.Some.StartsWith("dumped 'orders'"));
        });
    }
}
