using Databacker.Api.Contracts;
using Databacker.Api.Server.Reporting;

namespace Databacker.Api.Server.Tests.Reporting;

public class InMemoryReportingStoreTests
{
    private static LogEntry Line(Guid run, long seq) => new() { Run = run, Seq = seq, Timestamp = DateTimeOffset.UnixEpoch, Stream = LogStream.Stdout, Message = "m" + seq };

    [Test]
    public async Task Resent_lines_are_counted_as_duplicates_and_not_stored_twice()
    {
        var store = new InMemoryReportingStore();
        var run = Guid.NewGuid();

        var first = await store.AppendAsync("a", [Line(run, 0), Line(run, 1)]);
        var again = await store.AppendAsync("a", [Line(run, 1), Line(run, 2)]);
        var lines = await store.ReadAsync("a", run).ToListAsync();

        Assert.That((first.Accepted, first.Duplicates), Is.EqualTo((2L, 0L)));
        Assert.That((again.Accepted, again.Duplicates), Is.EqualTo((1L, 1L)));
        Assert.That(lines.Select(l => l.Seq), Is.EqualTo(new long[] { 0, 1, 2 }));
        Assert.That(await store.ReadAsync("b", run).ToListAsync(), Is.Empty, "another instance must not see the lines");
    }

    [Test]
    public async Task The_receipt_gives_the_highest_seq_stored_for_the_run_not_the_last_lines()
    {
        var store = new InMemoryReportingStore();
        var run = Guid.NewGuid();
        await store.AppendAsync("a", [Line(run, 5), Line(run, 9)]);

        var receipt = await store.AppendAsync("a", [Line(run, 7), Line(run, 3)]);

        Assert.That((receipt.Run, receipt.LastSeq), Is.EqualTo(((Guid?)run, (long?)9)));
    }

    [Test]
    public async Task Events_are_deduplicated_by_id_and_aggregated_into_runs()
    {
        var store = new InMemoryReportingStore();
        var run = Guid.NewGuid();
        var t0 = new DateTimeOffset(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);
        var events = new List<Event>
        {
            new() { Id = Guid.NewGuid(), Run = run, Type = EventType.RunStarted, Timestamp = t0 },
            new() { Id = Guid.NewGuid(), Run = run, Type = EventType.DumpFinished, Timestamp = t0.AddSeconds(5), Database = "app", DurationMs = 5000, Bytes = 2000 },
            new() { Id = Guid.NewGuid(), Run = run, Type = EventType.UploadFinished, Timestamp = t0.AddSeconds(8), Target = "s3", Bytes = 1000 },
            new() { Id = Guid.NewGuid(), Run = run, Type = EventType.UploadFinished, Timestamp = t0.AddSeconds(9), Target = "local", Bytes = 1000 },
            new() { Id = Guid.NewGuid(), Run = run, Type = EventType.RunSucceeded, Timestamp = t0.AddSeconds(10) },
        };

        var receipt = await store.AppendAsync("a", events);
        var resent = await store.AppendAsync("a", events.Take(2).ToList());
        var aggregated = RunAggregator.Runs("a", await store.ListAsync("a")).Single();
        var stats = RunAggregator.Statistics([aggregated]);

        Assert.That((receipt.Accepted, receipt.Duplicates), Is.EqualTo((5, 0)));
        Assert.That((resent.Accepted, resent.Duplicates), Is.EqualTo((0, 2)));
        Assert.That(aggregated.Status, Is.EqualTo(RunStatus.Succeeded));
        Assert.That(aggregated.DurationMs, Is.EqualTo(10_000));
        Assert.That(aggregated.Bytes, Is.EqualTo(2000), "bytes produced by the dump, not counted once per upload target");
        Assert.That(aggregated.Targets, Is.EqualTo(new[] { "s3", "local" }));
        Assert.That(aggregated.Databases, Is.EqualTo(new[] { "app" }));
        Assert.That((stats.Successes, stats.Failures, stats.MeanDurationMs), Is.EqualTo((1L, 0L, (long?)10_000)));
    }

    [Test]
    public async Task An_event_id_another_instance_stored_already_is_stored_for_this_instance_too()
    {
        var store = new InMemoryReportingStore();
        var id = Guid.NewGuid();
        Event Started(Guid run) => new() { Id = id, Run = run, Type = EventType.RunStarted, Timestamp = DateTimeOffset.UnixEpoch };
        var runA = Guid.NewGuid();
        var runB = Guid.NewGuid();

        var a = await store.AppendAsync("a", [Started(runA)]);
        var b = await store.AppendAsync("b", [Started(runB)]);
        var again = await store.AppendAsync("b", [Started(runB)]);

        Assert.That((a.Accepted, b.Accepted), Is.EqualTo((1, 1)));
        Assert.That((again.Accepted, again.Duplicates), Is.EqualTo((0, 1)));
        Assert.That((await store.ListAsync("a")).Select(e => e.Run), Is.EqualTo(new[] { runA }));
        Assert.That((await store.ListAsync("b")).Select(e => e.Run), Is.EqualTo(new[] { runB }));
    }

    [Test]
    public void Run_without_end_event_is_running_and_a_failed_run_carries_its_error()
    {
        var run = Guid.NewGuid();
        var t0 = DateTimeOffset.UnixEpoch;
        var running = RunAggregator.Aggregate("a", run, [new Event { Id = Guid.NewGuid(), Run = run, Type = EventType.RunStarted, Timestamp = t0 }]);
        var failed = RunAggregator.Aggregate("a", run,
        [
            new Event { Id = Guid.NewGuid(), Run = run, Type = EventType.RunStarted, Timestamp = t0 },
            new Event { Id = Guid.NewGuid(), Run = run, Type = EventType.RunFailed, Timestamp = t0.AddSeconds(1), Error = "upload refused" },
        ]);

        Assert.That(running.Status, Is.EqualTo(RunStatus.Running));
        Assert.That(failed.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(failed.Error, Is.EqualTo("upload refused"));
    }

    [Test]
    public void An_end_stamped_before_the_start_by_an_agent_clock_that_stepped_back_gives_no_duration_rather_than_a_negative_one()
    {
        var run = Guid.NewGuid();
        var t0 = new DateTimeOffset(2025, 1, 1, 0, 0, 10, TimeSpan.Zero);
        var aggregated = RunAggregator.Aggregate("a", run,
        [
            new Event { Id = Guid.NewGuid(), Run = run, Type = EventType.RunStarted, Timestamp = t0 },
            new Event { Id = Guid.NewGuid(), Run = run, Type = EventType.RunSucceeded, Timestamp = t0.AddSeconds(-5) },
        ]);
        var timed = RunAggregator.Aggregate("a", run,
        [
            new Event { Id = Guid.NewGuid(), Run = run, Type = EventType.RunStarted, Timestamp = t0 },
            new Event { Id = Guid.NewGuid(), Run = run, Type = EventType.RunSucceeded, Timestamp = t0.AddSeconds(3) },
        ]);

        Assert.Multiple(() =>
        {
            Assert.That(aggregated.Status, Is.EqualTo(RunStatus.Succeeded));
            Assert.That(aggregated.DurationMs, Is.Null);
            Assert.That(RunAggregator.Statistics([aggregated, timed]).MeanDurationMs, Is.EqualTo(3000), "only the run whose duration is known");
        });
    }

    [Test]
    public void Sizes_and_durations_as_large_as_the_contract_allows_are_aggregated_without_overflow()
    {
        var run = Guid.NewGuid();
        var t0 = DateTimeOffset.UnixEpoch;
        Event Dump(int i) => new() { Id = Guid.NewGuid(), Run = run, Type = EventType.DumpFinished, Timestamp = t0.AddSeconds(i), Bytes = long.MaxValue };

        var aggregated = RunAggregator.Aggregate("a", run, [Dump(1), Dump(2)]);
        var stats = RunAggregator.Statistics([
            new Run { Id = Guid.NewGuid(), Instance = "a", Status = RunStatus.Succeeded, DurationMs = long.MaxValue },
            new Run { Id = Guid.NewGuid(), Instance = "a", Status = RunStatus.Failed, DurationMs = long.MaxValue },
        ]);

        Assert.Multiple(() =>
        {
            Assert.That(aggregated.Bytes, Is.EqualTo(long.MaxValue));
            Assert.That(stats.MeanDurationMs, Is.EqualTo(long.MaxValue));
        });
    }
}
