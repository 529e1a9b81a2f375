using System.Text;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Newtonsoft.Json;

namespace Databacker.Api.Client.Tests.Reporting;

public class ReportingSenderTests
{
    private string _directory = null!;

    /// <summary>A controller that can be down, refuse bodies, and records what it accepted, in order.</summary>
    private sealed class FakeReporting : IReportingClient
    {
        public bool Down { get; set; }

        public int? RejectLogsOver { get; set; }

        public Func<EventBatch, bool>? Invalid { get; set; }

        public int? RejectBatchesOver { get; set; }

        public List<string> Received { get; } = [];

        public List<EventBatch> Batches { get; } = [];

        /// <summary>When set, event batches wait for it before they are answered (a slow controller).</summary>
        public Task? Slow { get; set; }

        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<LogReceipt> PostLogsAsync(Stream body, string instance, CancellationToken cancellationToken = default)
        {
            using var reader = new StreamReader(body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(cancellationToken);
            if (Down)
            {
                throw new HttpRequestException("connection refused");
            }

            if (RejectLogsOver is { } limit && text.Length > limit)
            {
                throw new DatabackerApiException("too large", 413, null, new Dictionary<string, IEnumerable<string>>(), null);
            }

            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Received.AddRange(lines.Select(l => "log " + JsonConvert.DeserializeObject<LogEntry>(l)!.Message));
            return new LogReceipt { Accepted = lines.Length };
        }

        public async Task<EventReceipt> PostEventsAsync(EventBatch body, string instance, CancellationToken cancellationToken = default)
        {
            if (Slow is { } slow)
            {
                Waiting.TrySetResult();
                await slow;
            }

            if (Down)
            {
                throw new HttpRequestException("connection refused");
            }

            if (Invalid?.Invoke(body) == true)
            {
                throw new DatabackerApiException("invalid", 422, null, new Dictionary<string, IEnumerable<string>>(), null);
            }

            if (RejectBatchesOver is { } most && body.Events.Count > most)
            {
                throw new DatabackerApiException("too large", 413, null, new Dictionary<string, IEnumerable<string>>(), null);
            }

            lock (Received)
            {
                Received.AddRange(body.Events.Select(e => "event " + e.Type));
                Batches.Add(body);
            }

            return new EventReceipt { Accepted = body.Events.Count };
        }
    }

    [SetUp]
    public void SetUp() => _directory = Path.Combine(Path.GetTempPath(), "reporting-sender-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private ReportingSender Sender(FakeReporting controller, TimeProvider? time = null, Action<ReportingSenderOptions>? tweak = null)
    {
        var options = new ReportingSenderOptions { SpoolDirectory = _directory, RetryDelay = TimeSpan.FromSeconds(5) };
        tweak?.Invoke(options);
        return new(controller, "instance-1", options, time);
    }

    private static async Task Log(ReportingSender sender, params string[] messages)
    {
        var uploader = sender.CreateLogUploader(SecretRedactor.UrlsOnly);
        await using var session = uploader.Start();
        var log = new RunLog(Guid.NewGuid(), session.Writer);
        foreach (var message in messages)
        {
            await log.WriteAsync(LogStream.Stdout, message);
        }

        await session.CompleteAsync();
    }

    private static EventBatch Events(params EventType[] types) =>
        new() { Events = types.Select(t => new Event { Id = Guid.NewGuid(), Run = Guid.NewGuid(), Type = t, Timestamp = DateTimeOffset.UnixEpoch }).ToList() };

    [Test]
    public async Task Event_attributes_come_out_of_the_spool_exactly_as_they_went_in()
    {
        var controller = new FakeReporting();
        var sender = Sender(controller);
        var batch = Events(EventType.RunStarted);
        batch.Events[0].Attributes = new Dictionary<string, object> { ["until"] = "2025-06-01T12:00:00+02:00", ["large"] = 1e30, ["small"] = 1e-30 };
        var previous = JsonConvert.DefaultSettings;
        JsonConvert.DefaultSettings = () => new JsonSerializerSettings { DateParseHandling = DateParseHandling.DateTimeOffset };
        try
        {
            await sender.SendEventsAsync(batch);
        }
        finally
        {
            JsonConvert.DefaultSettings = previous;
        }

        var attributes = controller.Batches.Single().Events[0].Attributes!;
        Assert.Multiple(() =>
        {
            Assert.That(attributes["until"], Is.EqualTo("2025-06-01T12:00:00+02:00"), "a date-like string stays that string, whatever the application's global settings");
            Assert.That((attributes["large"], attributes["small"]), Is.EqualTo((1e30, 1e-30)), "numbers of any size come out of the spool");
        });
    }

    [Test]
    public async Task Reports_made_while_the_controller_is_down_are_spooled_and_delivered_in_order_when_it_is_back()
    {
        var controller = new FakeReporting { Down = true };
        var time = new FakeTimeProvider();
        var sender = Sender(controller, time);

        await sender.SendEventsAsync(Events(EventType.RunStarted));
        await Log(sender, "one", "two");
        var receipt = await sender.SendEventsAsync(Events(EventType.RunSucceeded));

        Assert.That(receipt.Accepted, Is.EqualTo(1), "acknowledged once on disk");
        Assert.That(sender.HasPending, Is.True);
        Assert.That(sender.LastError, Does.Contain("connection refused"));
        Assert.That(controller.Received, Is.Empty);

        controller.Down = false;
        Assert.That(await sender.DeliverPendingAsync(force: false), Is.False, "no attempt within the retry delay");
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.That(await sender.DeliverPendingAsync(force: false), Is.True);

        Assert.That(controller.Received, Is.EqualTo(new[] { "event run-started", "log one", "log two", "event run-succeeded" }));
        Assert.That(sender.HasPending, Is.False);
        Assert.That(sender.Delivered, Is.EqualTo(3));
        Assert.That(sender.LastError, Is.Null);
    }

    [Test]
    public async Task A_new_sender_on_the_same_spool_delivers_what_a_killed_one_left_and_nothing_twice()
    {
        var controller = new FakeReporting { Down = true };
        await Log(Sender(controller), "before the kill");
        await Sender(controller).SendEventsAsync(Events(EventType.RunFailed));

        controller.Down = false;
        var restarted = Sender(controller);
        Assert.That(restarted.HasPending, Is.True);
        Assert.That(await restarted.DeliverPendingAsync(), Is.True);
        Assert.That(await restarted.DeliverPendingAsync(), Is.True);

        Assert.That(controller.Received, Is.EqualTo(new[] { "log before the kill", "event run-failed" }));
    }

    [Test]
    public async Task A_report_the_controller_refuses_as_invalid_is_dropped_and_does_not_block_the_rest()
    {
        var controller = new FakeReporting { Down = true, Invalid = b => b.Events.Any(e => e.Type == EventType.PruneFinished) };
        var sender = Sender(controller);
        await sender.SendEventsAsync(Events(EventType.PruneFinished));
        await sender.SendEventsAsync(Events(EventType.RunSucceeded));

        controller.Down = false;
        Assert.That(await sender.DeliverPendingAsync(), Is.True);

        Assert.That(controller.Received, Is.EqualTo(new[] { "event run-succeeded" }));
    }

    [Test]
    public async Task A_log_chunk_of_the_default_size_fits_in_the_spool()
    {
        var controller = new FakeReporting { Down = true };
        var sender = Sender(controller);
        var messages = Enumerable.Range(0, 30_000).Select(i => $"line {i} " + new string('x', 200)).ToArray();
        await Log(sender, messages);

        controller.Down = false;
        while (sender.HasPending)
        {
            Assert.That(await sender.DeliverPendingAsync(), Is.True);
        }

        Assert.That(controller.Received, Has.Count.EqualTo(30_000));
    }

    [Test]
    public async Task A_log_body_as_large_as_the_uploaders_largest_chunk_is_spooled_and_delivered()
    {
        // Exactly MaxChunkBytes of NDJSON, the most one upload request carries: with its record header it must fit in
        // one spool segment (a segment of MaxChunkBytes would refuse it as larger than a segment).
        var size = new LogUploaderOptions().MaxChunkBytes;
        var run = Guid.NewGuid();
        string Line(long seq, int pad) => JsonConvert.SerializeObject(new LogEntry
        {
            Run = run, Seq = seq, Timestamp = DateTimeOffset.UnixEpoch, Stream = LogStream.Stdout, Message = new string('x', pad),
        }) + "\n";
        var body = new StringBuilder();
        var seq = 0L;
        while (size - body.Length > 2 * Line(seq, 1000).Length)
        {
            body.Append(Line(seq++, 1000));
        }

        var last = size - body.Length - Line(seq, 0).Length;
        body.Append(Line(seq++, last));
        var bytes = Encoding.UTF8.GetBytes(body.ToString());
        Assert.That(bytes, Has.Length.EqualTo(size), "the body is exactly one full chunk");
        var controller = new FakeReporting { Down = true };
        var sender = Sender(controller);

        await sender.SendLogAsync(new MemoryStream(bytes));
        controller.Down = false;
        while (sender.HasPending)
        {
            Assert.That(await sender.DeliverPendingAsync(), Is.True);
        }

        Assert.That(controller.Received, Has.Count.EqualTo(seq));
    }

    [Test]
    public async Task A_spooled_log_chunk_refused_as_too_large_is_delivered_in_halves()
    {
        var controller = new FakeReporting { Down = true };
        var sender = Sender(controller);
        var messages = Enumerable.Range(0, 40).Select(i => $"line {i} " + new string('x', 40)).ToArray();
        await Log(sender, messages);

        controller.Down = false;
        controller.RejectLogsOver = 1500;
        Assert.That(await sender.DeliverPendingAsync(), Is.True);

        Assert.That(controller.Received, Is.EqualTo(messages.Select(m => "log " + m)));
    }

    [Test]
    public async Task A_spooled_log_line_too_large_even_alone_is_dropped_instead_of_blocking_the_spool_forever()
    {
        var controller = new FakeReporting { Down = true };
        var sender = Sender(controller);
        await Log(sender, "short", "long " + new string('x', 2000), "after");
        await sender.SendEventsAsync(Events(EventType.RunSucceeded));

        controller.Down = false;
        controller.RejectLogsOver = 1000;
        Assert.That(await sender.DeliverPendingAsync(), Is.True);

        Assert.Multiple(() =>
        {
            Assert.That(controller.Received, Is.EqualTo(new[] { "log short", "log after", "event run-succeeded" }));
            Assert.That(sender.HasPending, Is.False);
        });
    }

    [Test]
    public async Task A_spooled_event_batch_refused_as_too_large_is_delivered_in_halves()
    {
        var controller = new FakeReporting { Down = true };
        var sender = Sender(controller);
        var types = Enumerable.Repeat(EventType.DumpFinished, 9).Append(EventType.RunSucceeded).ToArray();
        await sender.SendEventsAsync(Events(types));

        controller.Down = false;
        controller.RejectBatchesOver = 3;
        Assert.That(await sender.DeliverPendingAsync(), Is.True);

        Assert.That(controller.Received, Is.EqualTo(types.Select(t => "event " + t)), "every event once, in order");
    }

    [Test]
    public async Task With_a_small_spool_the_uploader_cuts_chunks_that_fit_in_a_segment()
    {
        // 64 KiB of spool and the uploader's default 4 MiB chunks: a chunk larger than a segment could never be spooled.
        var controller = new FakeReporting { Down = true };
        var sender = Sender(controller, tweak: o =>
        {
            o.MaxSpoolBytes = 64 * 1024;
            o.WhenFull = OutboxFullPolicy.DropOldest;
        });
        var messages = Enumerable.Range(0, 1000).Select(i => $"line {i} " + new string('x', 200)).ToArray();

        await Log(sender, messages);
        controller.Down = false;
        Assert.That(await sender.DeliverPendingAsync(), Is.True);

        Assert.Multiple(() =>
        {
            Assert.That(controller.Received, Is.Not.Empty.And.Count.LessThan(messages.Length), "the oldest chunks were dropped for room");
            Assert.That(controller.Received[^1], Is.EqualTo("log " + messages[^1]), "the newest lines were kept");
        });
    }

    [Test]
    public async Task After_an_outage_a_new_report_delivers_a_few_spooled_ones_not_the_whole_backlog()
    {
        var controller = new FakeReporting { Down = true };
        var time = new FakeTimeProvider();
        var sender = Sender(controller, time);
        for (var i = 0; i < 20; i++)
        {
            await sender.SendEventsAsync(Events(EventType.DumpFinished));
        }

        controller.Down = false;
        time.Advance(TimeSpan.FromSeconds(6));
        await sender.SendEventsAsync(Events(EventType.RunSucceeded));

        Assert.Multiple(() =>
        {
            Assert.That(controller.Received, Has.Count.EqualTo(4), "the report's own wait is bounded");
            Assert.That(sender.HasPending, Is.True);
        });

        await sender.SendEventsAsync(Events(EventType.RunStarted));
        Assert.That(controller.Received, Has.Count.EqualTo(8), "not paused as after a failure: the next report delivers a few more");
        Assert.That(await sender.DeliverPendingAsync(), Is.True);
        Assert.That(controller.Received, Is.EqualTo(Enumerable.Repeat("event dump-finished", 20).Append("event run-succeeded").Append("event run-started")));
    }

    [Test]
    public async Task A_report_is_spooled_and_returns_while_another_reports_delivery_waits_for_a_slow_controller()
    {
        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var controller = new FakeReporting { Slow = slow.Task };
        var sender = Sender(controller);
        var first = sender.SendEventsAsync(Events(EventType.RunStarted));
        await controller.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        try
        {
            // The first report's delivery is stuck on the network; the second is on disk and returns.
            var receipt = await sender.SendEventsAsync(Events(EventType.DumpFinished)).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(receipt.Accepted, Is.EqualTo(1));
            Assert.That(first.IsCompleted, Is.False);
        }
        finally
        {
            slow.TrySetResult();
        }

        await first;
        Assert.That(await sender.DeliverPendingAsync(), Is.True);
        Assert.That(controller.Received, Is.EqualTo(new[] { "event run-started", "event dump-finished" }));
    }

    [Test]
    public async Task Without_a_spool_reports_go_straight_to_the_controller_and_failures_are_the_callers()
    {
        var controller = new FakeReporting();
        var sender = new ReportingSender(controller, "instance-1");

        await Log(sender, "direct");
        controller.Down = true;

        Assert.ThrowsAsync<HttpRequestException>(() => sender.SendEventsAsync(Events(EventType.RunStarted)));
        Assert.That(controller.Received, Is.EqualTo(new[] { "log direct" }));
        Assert.That(sender.HasPending, Is.False);
    }

    [Test]
    public void Registered_through_dependency_injection_for_the_configured_instance()
    {
        var services = new ServiceCollection();
        services.AddOptions<DatabackerClientOptions>().Configure(o => o.InstanceId = "instance-1");
        services.AddSingleton<IReportingClient>(new FakeReporting());
        services.AddDatabackerReportingSender(o => o.SpoolDirectory = _directory);
        using var provider = services.BuildServiceProvider();

        var sender = provider.GetRequiredService<ReportingSender>();

        Assert.That(sender, Is.SameAs(provider.GetRequiredService<ReportingSender>()));
        Assert.That(Directory.Exists(_directory), Is.True);
    }

    [Test]
    public void Out_of_range_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReportingSender(new FakeReporting(), "i", new ReportingSenderOptions { SpoolDirectory = " " }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReportingSender(new FakeReporting(), "i", new ReportingSenderOptions { MaxSpoolBytes = 10 }));
    }
}
