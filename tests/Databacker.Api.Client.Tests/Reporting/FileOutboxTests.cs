using System.Text;
using Databacker.Api.Client.Reporting;

namespace Databacker.Api.Client.Tests.Reporting;

public class FileOutboxTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("databacker-outbox-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    private FileOutbox Open(long maxBytes = 1024 * 1024, OutboxFullPolicy policy = OutboxFullPolicy.Reject, long segmentBytes = 64 * 1024)
        => new(new FileOutboxOptions { Directory = _directory, MaxBytes = maxBytes, SegmentBytes = segmentBytes, WhenFull = policy });

    private static OutboxRecord Record(int i) => new(i % 2 == 0 ? "events" : "log", Encoding.UTF8.GetBytes($"payload-{i}"));

    private static string Text(OutboxRecord r) => r.Kind + ":" + Encoding.UTF8.GetString(r.Payload);

    private static async Task<(List<string> Sent, OutboxDeliveryResult Result)> Drain(FileOutbox outbox, int failAt = -1)
    {
        var sent = new List<string>();
        var result = await outbox.DeliverAsync((record, _) =>
        {
            if (sent.Count == failAt)
            {
                throw new HttpRequestException("controller down");
            }

            sent.Add(Text(record));
            return Task.CompletedTask;
        });
        return (sent, result);
    }

    [Test]
    public async Task Records_are_delivered_once_in_order_across_a_failure_and_a_restart()
    {
        var outbox = Open(segmentBytes: 1024);
        for (var i = 0; i < 50; i++)
        {
            await outbox.AppendAsync(Record(i));
        }

        var (first, firstResult) = await Drain(outbox, failAt: 20);
        var (second, secondResult) = await Drain(Open(segmentBytes: 1024)); // a new process opening the same directory

        var expected = Enumerable.Range(0, 50).Select(i => Text(Record(i))).ToList();
        Assert.That(firstResult.Remaining, Is.True);
        Assert.That(first.Concat(second), Is.EqualTo(expected), "nothing lost, nothing twice, order kept");
        Assert.That(secondResult.Remaining, Is.False);
        Assert.That(Open().IsEmpty, Is.True);
    }

    // Records 0, 1 and 2 in one segment, the last one cut short as a crash mid-write leaves it.
    private async Task AppendThreeAndCrashInTheLast()
    {
        var outbox = Open();
        for (var i = 0; i < 3; i++)
        {
            await outbox.AppendAsync(Record(i));
        }

        var segment = Directory.GetFiles(_directory, "*.spool").Single();
        using var file = new FileStream(segment, FileMode.Open);
        file.SetLength(file.Length - 5);
    }

    [Test]
    public async Task Truncated_tail_from_a_crash_is_skipped_and_good_records_are_delivered()
    {
        await AppendThreeAndCrashInTheLast();

        var (sent, result) = await Drain(Open());

        Assert.That(sent, Is.EqualTo(new[] { Text(Record(0)), Text(Record(1)) }));
        Assert.That(result.CorruptBytesSkipped, Is.GreaterThan(0));
    }

    [Test]
    public async Task Records_appended_after_a_crash_left_a_truncated_tail_are_not_lost_with_it()
    {
        await AppendThreeAndCrashInTheLast();

        var restarted = Open(); // the next process: it saves before it delivers
        await restarted.AppendAsync(Record(3));
        await restarted.AppendAsync(Record(4));
        var (sent, result) = await Drain(restarted);

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(new[] { Text(Record(0)), Text(Record(1)), Text(Record(3)), Text(Record(4)) }));
            Assert.That(result.CorruptBytesSkipped, Is.GreaterThan(0));
            Assert.That(result.Remaining, Is.False);
        });
    }

    [Test]
    public async Task An_offset_left_behind_by_a_crash_does_not_hide_records_of_a_new_segment_with_the_same_name()
    {
        // A crash between deleting a delivered segment and its offset file; the outbox is then empty and numbers its
        // next segment from 1 again.
        await File.WriteAllTextAsync(Path.Combine(_directory, "000000000001.spool.ack"), "30");
        var outbox = Open();
        for (var i = 0; i < 3; i++)
        {
            await outbox.AppendAsync(Record(i));
        }

        var (sent, result) = await Drain(outbox);

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(Enumerable.Range(0, 3).Select(i => Text(Record(i)))));
            Assert.That(result.CorruptBytesSkipped, Is.Zero);
        });
    }

    [Test]
    public async Task A_cancelled_append_leaves_nothing_behind_and_later_records_are_delivered()
    {
        var outbox = Open();
        await outbox.AppendAsync(Record(0));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => outbox.AppendAsync(Record(1), cancelled.Token));
        await outbox.AppendAsync(Record(2));
        var (sent, result) = await Drain(outbox);

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(new[] { Text(Record(0)), Text(Record(2)) }));
            Assert.That(result.CorruptBytesSkipped, Is.Zero);
        });
    }

    [Test]
    public async Task Damaged_record_is_detected_by_its_checksum()
    {
        var outbox = Open();
        for (var i = 0; i < 3; i++)
        {
            await outbox.AppendAsync(Record(i));
        }

        var segment = Directory.GetFiles(_directory, "*.spool").Single();
        var bytes = await File.ReadAllBytesAsync(segment);
        var secondPayloadStart = bytes.Length / 2;
        bytes[secondPayloadStart] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes);

        var (sent, result) = await Drain(Open());

        Assert.That(sent, Is.EqualTo(new[] { Text(Record(0)) }), "the damaged record and what follows it in the segment are not trusted");
        Assert.That(result.CorruptBytesSkipped, Is.GreaterThan(0));
    }

    [Test]
    public async Task Full_outbox_rejects_new_records_by_default_and_keeps_the_old_ones()
    {
        var outbox = Open(maxBytes: 2048, segmentBytes: 1024);
        var big = new OutboxRecord("log", new byte[400]);

        await outbox.AppendAsync(big);
        await outbox.AppendAsync(big);
        await outbox.AppendAsync(big);
        await outbox.AppendAsync(big);
        Assert.ThrowsAsync<OutboxFullException>(() => outbox.AppendAsync(big));

        var (sent, _) = await Drain(outbox);
        Assert.That(sent, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task Drop_oldest_policy_keeps_the_newest_records()
    {
        var outbox = Open(maxBytes: 2048, policy: OutboxFullPolicy.DropOldest, segmentBytes: 1024);
        for (var i = 0; i < 10; i++)
        {
            await outbox.AppendAsync(new OutboxRecord("log", Encoding.UTF8.GetBytes(i + new string(' ', 300))));
        }

        var (sent, _) = await Drain(outbox);

        Assert.That(sent, Is.Not.Empty);
        Assert.That(sent[^1], Does.StartWith("log:9"));
        Assert.That(sent, Has.None.StartWith("log:0"));
        Assert.That(outbox.SizeBytes, Is.Zero);
    }

    [Test]
    public async Task An_append_does_not_wait_for_a_delivery_pass_that_is_sending_and_its_record_is_delivered()
    {
        var outbox = Open();
        await outbox.AppendAsync(Record(0));
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = new List<string>();
        var pass = outbox.DeliverAsync(async (record, _) =>
        {
            sending.TrySetResult();
            await release.Task;
            lock (sent)
            {
                sent.Add(Text(record));
            }
        });
        await sending.Task;

        try
        {
            // The controller is slow: the pass is stuck in its send, yet the append completes.
            await outbox.AppendAsync(Record(1)).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            release.TrySetResult();
        }

        var result = await pass;

        Assert.That(sent, Is.EqualTo(new[] { Text(Record(0)), Text(Record(1)) }), "the record appended to the segment being delivered is delivered by the same pass");
        Assert.That(result.Remaining, Is.False);
        Assert.That(outbox.IsEmpty, Is.True);
    }

    [Test]
    public async Task A_segment_dropped_to_make_room_while_it_is_being_delivered_loses_none_of_the_records_after_it()
    {
        // DropOldest deletes the segment the pass is sending from, and the next record starts a new segment: it must
        // not take the dropped segment's name (and so the offset the pass is about to record for it).
        var outbox = Open(maxBytes: 1024, policy: OutboxFullPolicy.DropOldest, segmentBytes: 1024);
        await outbox.AppendAsync(new OutboxRecord("log", Encoding.UTF8.GetBytes("old" + new string(' ', 850))));
        var sent = new List<string>();
        var (first, release) = StartBlockedPass(outbox, out var sending, sent);
        await sending;
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await outbox.AppendAsync(new OutboxRecord("log", Encoding.UTF8.GetBytes($"new-{i}" + new string(' ', 200)))).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            release.TrySetResult();
        }

        await first;
        var (drained, result) = await Drain(outbox);
        sent.AddRange(drained);

        Assert.That(sent.Select(t => t.TrimEnd()), Is.EqualTo(new[] { "log:old", "log:new-0", "log:new-1", "log:new-2" }));
        Assert.That(result.Remaining, Is.False);
        Assert.That(Directory.GetFiles(_directory), Is.Empty, "no offset left behind for the dropped segment");
    }

    [Test]
    public async Task A_reopened_outbox_never_gives_a_new_segment_the_name_of_one_dropped_while_it_is_being_delivered()
    {
        var before = Open(maxBytes: 1024, policy: OutboxFullPolicy.DropOldest, segmentBytes: 1024);
        await before.AppendAsync(new OutboxRecord("log", Encoding.UTF8.GetBytes("old" + new string(' ', 850))));

        // A new process: its first append drops the only segment while its first pass is sending from it.
        var outbox = Open(maxBytes: 1024, policy: OutboxFullPolicy.DropOldest, segmentBytes: 1024);
        var sent = new List<string>();
        var (pass, release) = StartBlockedPass(outbox, out var sending, sent);
        await sending;
        try
        {
            await outbox.AppendAsync(new OutboxRecord("log", Encoding.UTF8.GetBytes("new" + new string(' ', 200)))).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            release.TrySetResult();
        }

        await pass;
        sent.AddRange((await Drain(outbox)).Sent);

        Assert.That(sent.Select(t => t.TrimEnd()), Is.EqualTo(new[] { "log:old", "log:new" }), "the record being sent when its segment was dropped, then the new one");
        Assert.That(Directory.GetFiles(_directory), Is.Empty);
    }

    [Test]
    public async Task A_segment_created_while_a_pass_runs_is_delivered_by_that_pass()
    {
        var outbox = Open(segmentBytes: 1024);
        await outbox.AppendAsync(new OutboxRecord("log", Encoding.UTF8.GetBytes("first" + new string(' ', 990))));
        var sent = new List<string>();
        var (pass, release) = StartBlockedPass(outbox, out var sending, sent);
        await sending;
        try
        {
            // The first segment is full: this record starts a second one, after the pass listed the segments.
            await outbox.AppendAsync(new OutboxRecord("log", Encoding.UTF8.GetBytes("second"))).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            release.TrySetResult();
        }

        var result = await pass;

        Assert.That(sent.Select(t => t.TrimEnd()), Is.EqualTo(new[] { "log:first", "log:second" }));
        Assert.That(result.Remaining, Is.False);
        Assert.That(outbox.IsEmpty, Is.True);
    }

    [Test]
    public async Task Bytes_already_delivered_from_a_segment_still_being_delivered_leave_room_for_new_records()
    {
        var outbox = Open(maxBytes: 1024, segmentBytes: 1024);
        await outbox.AppendAsync(new OutboxRecord("log", Encoding.UTF8.GetBytes("a" + new string(' ', 600))));
        await outbox.AppendAsync(new OutboxRecord("log", Encoding.UTF8.GetBytes("b" + new string(' ', 200))));
        var sent = new List<string>();
        var (pass, release) = StartBlockedPass(outbox, out var sending, sent, blockAt: 1);
        await sending;
        try
        {
            // "a" is delivered (its offset recorded), "b" is being sent: with Reject, "c" fits only if "a" no longer counts.
            await outbox.AppendAsync(new OutboxRecord("log", Encoding.UTF8.GetBytes("c" + new string(' ', 600)))).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            release.TrySetResult();
        }

        await pass;

        Assert.That(sent.Select(t => t.TrimEnd()), Is.EqualTo(new[] { "log:a", "log:b", "log:c" }));
    }

    // A delivery pass whose send number blockAt (0-based) waits until release is set; sending completes when it waits.
    private static (Task<OutboxDeliveryResult> Pass, TaskCompletionSource Release) StartBlockedPass(FileOutbox outbox, out Task sending, List<string>? sent = null, int blockAt = 0)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        sending = started.Task;
        var pass = outbox.DeliverAsync(async (record, _) =>
        {
            if (count++ == blockAt)
            {
                started.TrySetResult();
                await release.Task;
            }

            if (sent is not null)
            {
                lock (sent)
                {
                    sent.Add(Text(record));
                }
            }
        });
        return (pass, release);
    }

    [Test]
    public async Task Files_a_crash_left_beside_the_segments_are_removed_when_the_outbox_opens_and_records_are_kept()
    {
        var before = Open();
        await before.AppendAsync(Record(0));
        var segment = Directory.GetFiles(_directory, "*.spool").Single();
        File.WriteAllText(segment + ".ack.tmp", "12");                                      // an offset not yet renamed into place
        File.WriteAllText(Path.Combine(_directory, "000000000007.spool.ack"), "40");       // the offset of a segment already deleted

        var outbox = Open();
        var (sent, _) = await Drain(outbox);

        Assert.That(sent, Is.EqualTo(new[] { Text(Record(0)) }));
        Assert.That(Directory.GetFiles(_directory), Is.Empty);
    }
}
