using System.Net;
using System.Text;
using System.Threading.Channels;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Contracts;
using Newtonsoft.Json;

namespace Databacker.Api.Integration.Tests;

/// <summary>Reporting from the real client pipeline to a real controller on Kestrel (loopback).</summary>
[NonParallelizable]
public class ReportingRoundTripTests
{
    private const string Instance = "agent-1";
    private const string Secret = "db-Pa55word-xyz";

    private Controller _controller = null!;
    private EcdsaKey _key = null!;
    private DatabackerClient _client = null!;
    private string _spool = null!;

    [SetUp]
    public async Task SetUp()
    {
        _controller = await Controller.StartAsync(logBodyLimit: 8 * 1024);
        _key = EcdsaKey.Generate();
        _controller.Keys.Add(Instance, _key);
        _client = NewClient();
        _spool = Directory.CreateTempSubdirectory("databacker-spool-").FullName;
    }

    [TearDown]
    public async Task TearDown()
    {
        await _client.DisposeAsync();
        await _controller.DisposeAsync();
        Directory.Delete(_spool, recursive: true);
        _key.Dispose();
    }

    private DatabackerClient NewClient() => new DatabackerClientBuilder(o =>
    {
        o.Controller = _controller.BaseAddress;
        o.InstanceId = Instance;
        o.Key = _key;
        o.Resilience.MaxRetryAttempts = 0;
    }).Build();

    private static SecretRedactor Redactor() => new([Secret]);

    private LogUploader Uploader(SecretRedactor redactor) =>
        new((body, ct) => _client.Reporting.PostLogsAsync(body, Instance, ct), redactor, new LogUploaderOptions { MaxChunkBytes = 64 * 1024 });

    [Test]
    public async Task A_runs_logs_and_events_arrive_complete_and_in_order_without_secrets()
    {
        var run = Guid.NewGuid();
        var redactor = Redactor();
        var lines = Channel.CreateUnbounded<LogEntry>();
        var log = new RunLog(run, lines.Writer);
        var upload = Uploader(redactor).UploadAsync(lines.Reader);
        var events = new RunEvents(run, redactor);

        events.Record(EventType.RunStarted);
        using (var dump = events.Begin(EventType.DumpStarted, EventType.DumpFinished, database: "app"))
        {
            for (var i = 0; i < 300; i++)
            {
                await log.WriteAsync(LogStream.Stdout, $"line {i} connecting with password {Secret} to https://u:{Secret}@db.example.com/");
            }

            dump.Bytes = 1234;
        }

        events.Record(EventType.RunSucceeded);
        lines.Writer.Complete();
        var summary = await upload;
        var delivered = await events.FlushAsync((batch, ct) => _client.Reporting.PostEventsAsync(batch, Instance, ct));

        var stored = await _controller.Store.ReadAsync(Instance, run).ToListAsync();
        var storedEvents = await _controller.Store.ListAsync(Instance, run);
        Assert.Multiple(() =>
        {
            Assert.That(stored.Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, 300).Select(i => (long)i)));
            Assert.That(summary.Requests, Is.GreaterThan(1), "the 8 KiB server limit forces several requests");
            Assert.That(stored.Select(l => l.Message), Has.None.Contains(Secret));
            Assert.That(delivered, Is.EqualTo(4));
            Assert.That(storedEvents.Select(e => e.Type.Value), Is.EqualTo(new[] { "run-started", "dump-started", "dump-finished", "run-succeeded" }));
        });
    }

    [Test]
    public async Task A_chunk_resent_after_a_lost_response_is_not_stored_twice()
    {
        var run = Guid.NewGuid();
        var body = string.Join("\n", Enumerable.Range(0, 10).Select(i => JsonConvert.SerializeObject(new LogEntry
        {
            Run = run, Seq = i, Timestamp = DateTimeOffset.UtcNow, Stream = LogStream.Stdout, Message = "m" + i,
        })));

        var first = await _client.Reporting.PostLogsAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), Instance);
        var again = await _client.Reporting.PostLogsAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), Instance);

        Assert.That((first.Accepted, first.Duplicates), Is.EqualTo((10L, 0L)));
        Assert.That((again.Accepted, again.Duplicates), Is.EqualTo((0L, 10L)));
        Assert.That(await _controller.Store.ReadAsync(Instance, run).CountAsync(), Is.EqualTo(10));
    }

    [Test]
    public async Task A_chunk_over_the_servers_limit_is_split_on_413_and_every_line_arrives()
    {
        var run = Guid.NewGuid();
        var lines = Channel.CreateUnbounded<LogEntry>();
        var log = new RunLog(run, lines.Writer);
        for (var i = 0; i < 200; i++)
        {
            await log.WriteAsync(LogStream.Stderr, new string('x', 100) + i);
        }

        lines.Writer.Complete();

        // The uploader's chunks (64 KiB) are larger than the server accepts (8 KiB): 413, split, resend.
        var summary = await Uploader(SecretRedactor.UrlsOnly).UploadAsync(lines.Reader);

        Assert.That(summary.Requests, Is.GreaterThanOrEqualTo(4));
        Assert.That((await _controller.Store.ReadAsync(Instance, run).ToListAsync()).Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, 200).Select(i => (long)i)));
    }

    [Test]
    public async Task A_malformed_line_is_refused_with_its_line_number_and_nothing_is_stored()
    {
        var run = Guid.NewGuid();
        var good = JsonConvert.SerializeObject(new LogEntry { Run = run, Seq = 0, Timestamp = DateTimeOffset.UtcNow, Stream = LogStream.Stdout, Message = "ok" });
        var body = good + "\n{\"run\":\"" + run + "\",\"seq\":1}\n" + good.Replace("\"seq\":0", "\"seq\":2", StringComparison.Ordinal) + "\n";

        var error = Assert.CatchAsync<DatabackerApiException>(() => _client.Reporting.PostLogsAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), Instance));

        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error.Problem, Is.Not.Null);
        Assert.That(error.Problem!.Extensions["line"].GetInt64(), Is.EqualTo(2));
        Assert.That(await _controller.Store.ReadAsync(Instance, run).CountAsync(), Is.Zero);
    }

    [Test]
    public async Task Reports_spooled_while_the_controller_is_down_arrive_after_it_comes_back()
    {
        var run = Guid.NewGuid();
        var outbox = new FileOutbox(new FileOutboxOptions { Directory = _spool });
        var events = new RunEvents(run, Redactor());
        events.Record(EventType.RunStarted);
        events.Record(EventType.RunFailed, e => e.Error = "could not connect with " + Secret);
        await _controller.StopAsync();

        // Controller down: the batch goes to the outbox instead (ids fixed, so a resend is harmless).
        var batch = new EventBatch();
        Assert.ThrowsAsync<HttpRequestException>(() => events.FlushAsync((b, ct) => { batch = b; return _client.Reporting.PostEventsAsync(b, Instance, ct); }));
        await outbox.AppendAsync(new OutboxRecord("events", Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(batch))));
        Assert.That(File.ReadAllText(Directory.GetFiles(_spool, "*.spool").Single()), Does.Not.Contain(Secret), "secrets never reach the disk");

        await _controller.StartAsync();
        await _client.DisposeAsync();
        _client = NewClient();
        var result = await outbox.DeliverAsync(async (record, ct) =>
            await _client.Reporting.PostEventsAsync(JsonConvert.DeserializeObject<EventBatch>(Encoding.UTF8.GetString(record.Payload))!, Instance, ct));

        Assert.That(result.Delivered, Is.EqualTo(1));
        Assert.That(outbox.IsEmpty, Is.True);
        Assert.That((await _controller.Store.ListAsync(Instance, run)).Select(e => e.Type.Value), Is.EqualTo(new[] { "run-started", "run-failed" }));
    }
}
