using System.Text;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Contracts;

namespace Databacker.Api.Client.Tests.Reporting;

/// <summary>
/// The spool under conditions a run meets in the field: batches larger than a segment, offsets damaged on disk, and
/// stray files in its directory. None may lose reports or stop the agent.
/// </summary>
[TestFixture]
public sealed class SpoolDamageTests
{
    private string _directory = null!;

    private sealed class OkReporting : IReportingClient
    {
        public List<Event> Events { get; } = [];
        public async Task<LogReceipt> PostLogsAsync(Stream body, string instance, CancellationToken cancellationToken = default)
        {
            await new StreamReader(body).ReadToEndAsync(cancellationToken);
            return new LogReceipt();
        }

        public Task<EventReceipt> PostEventsAsync(EventBatch body, string instance, CancellationToken cancellationToken = default)
        {
            lock (Events) Events.AddRange(body.Events);
            return Task.FromResult(new EventReceipt { Accepted = body.Events.Count });
        }
    }

    [SetUp]
    public void SetUp() => _directory = Path.Combine(Path.GetTempPath(), "databacker-spool-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task A_batch_larger_than_a_segment_of_a_small_spool_is_spooled_in_parts_and_delivered_whole()
    {
        var controller = new OkReporting();
        // 256 KiB of spool is valid (>= 64 KiB); its segment is then 256 KiB.
        var sender = new ReportingSender(controller, "i-1", new ReportingSenderOptions { SpoolDirectory = _directory, MaxSpoolBytes = 256 * 1024 });
        var events = new RunEvents(Guid.NewGuid(), SecretRedactor.UrlsOnly);
        for (var i = 0; i < 1000; i++)
        {
            events.Record(EventType.DumpFinished, e => { e.Database = "database-" + i; e.Error = new string('x', 300); });
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await events.FlushAsync(sender.SendEventsAsync, cts.Token);
        Assert.That(controller.Events, Has.Count.EqualTo(1000));
    }

    [Test]
    public async Task A_batch_of_long_errors_larger_than_a_default_segment_is_spooled_in_parts_and_delivered_whole()
    {
        var controller = new OkReporting();
        var sender = new ReportingSender(controller, "i-1", new ReportingSenderOptions { SpoolDirectory = _directory }); // 256 MiB spool, 8 MiB segments
        var events = new RunEvents(Guid.NewGuid(), SecretRedactor.UrlsOnly);
        for (var i = 0; i < 1000; i++)
        {
            events.Record(EventType.DumpFinished, e => { e.Database = "db-" + i; e.Error = new string('\u9519', 4096); }); // maxLength 4096 characters
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await events.FlushAsync(sender.SendEventsAsync, cts.Token);
        Assert.That(controller.Events, Has.Count.EqualTo(1000));
    }

    [TestCase("-12")]
    [TestCase("99999999")]
    public async Task A_damaged_offset_file_delivers_the_segment_again_instead_of_wedging_or_dropping_it(string ack)
    {
        var controller = new OkReporting();
        var options = new ReportingSenderOptions { SpoolDirectory = _directory };
        var down = new ReportingSender(new DownReporting(), "i-1", options);
        var id = Guid.NewGuid();
        await down.SendEventsAsync(new EventBatch { Events = [new Event { Id = id, Run = Guid.NewGuid(), Type = EventType.RunStarted, Timestamp = DateTimeOffset.UtcNow }] });
        var segment = Directory.GetFiles(_directory, "*.spool").Single();
        File.WriteAllText(segment + ".ack", ack);  // damaged on disk

        var sender = new ReportingSender(controller, "i-1", options);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var empty = await sender.DeliverPendingAsync(cancellationToken: cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(empty, Is.True);
            Assert.That(controller.Events.Select(e => e.Id), Is.EqualTo(new[] { id }), "delivered, not dropped");
        });
    }

    [Test]
    public async Task A_stray_file_in_the_spool_directory_does_not_stop_the_agent_and_is_left_alone()
    {
        Directory.CreateDirectory(_directory);
        var stray = Path.Combine(_directory, "000000000001 (copy).spool");
        File.WriteAllText(stray, "not a segment");   // a file manager's copy, an editor's backup
        var controller = new OkReporting();

        var sender = new ReportingSender(controller, "i-1", new ReportingSenderOptions { SpoolDirectory = _directory });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var empty = await sender.DeliverPendingAsync(cancellationToken: cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(empty, Is.True);
            Assert.That(File.ReadAllText(stray), Is.EqualTo("not a segment"));
        });
    }

    private sealed class DownReporting : IReportingClient
    {
        public Task<LogReceipt> PostLogsAsync(Stream body, string instance, CancellationToken cancellationToken = default) => throw new HttpRequestException("down");
        public Task<EventReceipt> PostEventsAsync(EventBatch body, string instance, CancellationToken cancellationToken = default) => throw new HttpRequestException("down");
    }

    private sealed class Recording : IReportingClient
    {
        public List<Guid> Received { get; } = [];

        public List<EventBatch> Batches { get; } = [];

        public Task<LogReceipt> PostLogsAsync(Stream body, string instance, CancellationToken cancellationToken = default) =>
            Task.FromResult(new LogReceipt());

        public Task<EventReceipt> PostEventsAsync(EventBatch body, string instance, CancellationToken cancellationToken = default)
        {
            Received.AddRange(body.Events.Select(e => e.Id));
            Batches.Add(body);
            return Task.FromResult(new EventReceipt { Accepted = body.Events.Count });
        }
    }

    [Test]
    public async Task One_event_larger_than_a_segment_is_dropped_and_the_others_are_sent_once()
    {
        var controller = new Recording();
        var sender = new ReportingSender(controller, "i-1", new ReportingSenderOptions { SpoolDirectory = _directory, MaxSpoolBytes = 64 * 1024 });
        var events = new RunEvents(Guid.NewGuid(), SecretRedactor.UrlsOnly);
        events.Record(EventType.RunStarted);
        events.Record(EventType.DumpStarted);
        events.Record(EventType.DumpFinished, e => e.Attributes = new Dictionary<string, object> { ["output"] = new string('x', 70 * 1024) });

        for (var flush = 0; flush < 3; flush++)
        {
            await events.FlushAsync(sender.SendEventsAsync);
        }

        Assert.That(controller.Received, Has.Count.EqualTo(2).And.Unique, "the two that fit, each once");
    }

    [Test]
    public async Task A_spooled_batch_keeps_its_own_unknown_members()
    {
        var controller = new Recording();
        var sender = new ReportingSender(controller, "i-1", new ReportingSenderOptions { SpoolDirectory = _directory });
        var batch = new EventBatch { Events = [new Event { Id = Guid.NewGuid(), Run = Guid.NewGuid(), Type = EventType.RunStarted, Timestamp = DateTimeOffset.UnixEpoch }] };
        batch.AdditionalProperties["agentBuild"] = "2026.11";

        await sender.SendEventsAsync(batch);

        Assert.That(controller.Batches.Single().AdditionalProperties, Does.ContainKey("agentBuild"));
    }
}
