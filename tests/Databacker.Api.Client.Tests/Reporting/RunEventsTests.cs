using System.Diagnostics;
using System.Threading.Channels;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace Databacker.Api.Client.Tests.Reporting;

public class RunEventsTests
{
    [Test]
    public void Scope_records_started_and_finished_with_measured_duration_and_outcome()
    {
        var time = new FakeTimeProvider();
        var events = new RunEvents(Guid.NewGuid(), SecretRedactorTests.FromTestConfiguration(), time);
        var sent = new List<Event>();

        using (var dump = events.Begin(EventType.DumpStarted, EventType.DumpFinished, database: "app"))
        {
            time.Advance(TimeSpan.FromMilliseconds(1500));
            dump.Bytes = 42;
            dump.Fail("mysqldump failed: Access denied for db-Pa55word");
        }

        events.FlushAsync((batch, _) => { sent.AddRange(batch.Events); return Task.FromResult(new EventReceipt()); }).GetAwaiter().GetResult();

        Assert.That(sent.Select(e => e.Type), Is.EqualTo(new[] { EventType.DumpStarted, EventType.DumpFinished }));
        var finished = sent[1];
        Assert.That(finished.DurationMs, Is.EqualTo(1500));
        Assert.That(finished.Bytes, Is.EqualTo(42));
        Assert.That(finished.Database, Is.EqualTo("app"));
        Assert.That(finished.Error, Does.Not.Contain("db-Pa55word"));
        Assert.That(finished.Error, Does.Contain("Access denied"));
    }

    [Test]
    public void Members_outside_the_contract_are_redacted_like_the_attributes()
    {
        var events = new RunEvents(Guid.NewGuid(), SecretRedactorTests.FromTestConfiguration());

        var recorded = events.Record(EventType.RunStarted, e => e.AdditionalProperties["detail"] = "connected with db-Pa55word");

        Assert.That(recorded.AdditionalProperties["detail"], Is.EqualTo($"connected with {SecretRedactor.Mask}"));
    }

    [Test]
    public async Task Concurrent_flushes_take_turns_and_send_every_event_once()
    {
        var events = new RunEvents(Guid.NewGuid(), SecretRedactor.UrlsOnly);
        for (var i = 0; i < RunEvents.MaxBatchSize + 500; i++)
        {
            events.Record(EventType.RunStarted);
        }

        var sent = new List<Guid>();
        var firstBatchArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<EventReceipt> Send(EventBatch batch, CancellationToken ct)
        {
            lock (sent)
            {
                sent.AddRange(batch.Events.Select(e => e.Id));
            }

            firstBatchArrived.TrySetResult();
            await release.Task;
            return new EventReceipt();
        }

        var first = events.FlushAsync(Send);
        await firstBatchArrived.Task;
        var second = events.FlushAsync(Send); // starts while the first batch is in flight
        release.SetResult();
        var counts = await Task.WhenAll(first, second);

        Assert.Multiple(() =>
        {
            Assert.That(sent, Has.Count.EqualTo(RunEvents.MaxBatchSize + 500));
            Assert.That(sent.Distinct().Count(), Is.EqualTo(sent.Count), "no batch sent twice");
            Assert.That(counts.Sum(), Is.EqualTo(RunEvents.MaxBatchSize + 500));
            Assert.That(events.PendingCount, Is.Zero);
        });
    }

    [Test]
    public async Task Failed_flush_keeps_events_and_resends_them_with_the_same_ids()
    {
        var events = new RunEvents(Guid.NewGuid(), SecretRedactor.UrlsOnly);
        events.Record(EventType.RunStarted);
        events.Record(EventType.RunSucceeded);
        var attempts = new List<Guid[]>();

        Assert.ThrowsAsync<HttpRequestException>(() => events.FlushAsync((batch, _) =>
        {
            attempts.Add(batch.Events.Select(e => e.Id).ToArray());
            throw new HttpRequestException("controller down");
        }));
        Assert.That(events.PendingCount, Is.EqualTo(2));

        await events.FlushAsync((batch, _) =>
        {
            attempts.Add(batch.Events.Select(e => e.Id).ToArray());
            return Task.FromResult(new EventReceipt());
        });

        Assert.That(attempts, Has.Count.EqualTo(2));
        Assert.That(attempts[1], Is.EqualTo(attempts[0]));
        Assert.That(events.PendingCount, Is.Zero);
    }

    [Test]
    public async Task Events_are_sent_in_batches_within_the_contract_limit()
    {
        var events = new RunEvents(Guid.NewGuid(), SecretRedactor.UrlsOnly);
        for (var i = 0; i < 2500; i++)
        {
            events.Record(EventType.UploadFinished);
        }

        var sizes = new List<int>();
        var delivered = await events.FlushAsync((batch, _) => { sizes.Add(batch.Events.Count); return Task.FromResult(new EventReceipt()); });

        Assert.That(sizes, Is.EqualTo(new[] { 1000, 1000, 500 }));
        Assert.That(delivered, Is.EqualTo(2500));
    }

    [Test]
    public async Task Child_process_output_is_captured_from_both_streams_with_gap_free_sequence()
    {
        var channel = Channel.CreateUnbounded<LogEntry>();
        var log = new RunLog(Guid.NewGuid(), channel.Writer);

        var exit = await log.CaptureAsync(new ProcessStartInfo("sh", ["-c", "echo one; echo two 1>&2; echo three; exit 3"]));
        channel.Writer.Complete();
        var lines = await channel.Reader.ReadAllAsync().ToListAsync();

        Assert.That(exit, Is.EqualTo(3));
        Assert.That(lines.Select(l => l.Message), Is.EquivalentTo(new[] { "one", "two", "three" }));
        Assert.That(lines.Single(l => l.Message == "two").Stream, Is.EqualTo(LogStream.Stderr));
        Assert.That(lines.Select(l => l.Seq).Order(), Is.EqualTo(new long[] { 0, 1, 2 }));
    }

    [Test]
    public async Task A_child_writing_a_huge_line_is_logged_in_bounded_pieces_and_line_endings_are_kept()
    {
        var channel = Channel.CreateUnbounded<LogEntry>();
        var log = new RunLog(Guid.NewGuid(), channel.Writer);

        // 150,000 characters without a newline, then CRLF and CR endings.
        var exit = await log.CaptureAsync(new ProcessStartInfo("sh", ["-c", "head -c 150000 /dev/zero | tr '\\0' a; printf '\\r\\nnext\\rlast'"]));
        channel.Writer.Complete();
        var lines = await channel.Reader.ReadAllAsync().ToListAsync();

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(lines.Select(l => l.Message.Length), Is.EqualTo(new[] { 65_536, 65_536, 150_000 - (2 * 65_536), 4, 4 }));
            Assert.That(lines.Take(3).All(l => l.Message.All(c => c == 'a')), Is.True);
            Assert.That(lines.Skip(3).Select(l => l.Message), Is.EqualTo(new[] { "next", "last" }));
        });
    }
}
