using System.Net;
using System.Text;
using System.Threading.Channels;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Contracts;
using Microsoft.Extensions.Time.Testing;
using Newtonsoft.Json;

namespace Databacker.Api.Client.Tests.Reporting;

public class LogUploaderTests
{
    private sealed class RecordingServer
    {
        public int? RejectBodiesOver { get; init; }

        public List<string> Bodies { get; } = [];

        public Task<LogReceipt> SendAsync(Stream body, CancellationToken cancellationToken)
        {
            var text = new StreamReader(body, Encoding.UTF8).ReadToEnd();
            if (RejectBodiesOver is { } limit && Encoding.UTF8.GetByteCount(text) > limit)
            {
                throw new DatabackerApiException("too large", 413, null, new Dictionary<string, IEnumerable<string>>(), null);
            }

            lock (Bodies)
            {
                Bodies.Add(text);
            }

            return Task.FromResult(new LogReceipt());
        }

        public List<LogEntry> Lines() => Bodies
            .SelectMany(b => b.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(l => JsonConvert.DeserializeObject<LogEntry>(l)!)
            .ToList();
    }

    private static async Task<Channel<LogEntry>> WriteLines(int count, int messageLength = 100, params string[] inject)
    {
        var channel = Channel.CreateUnbounded<LogEntry>();
        var log = new RunLog(Guid.NewGuid(), channel.Writer);
        for (var i = 0; i < count; i++)
        {
            var message = i < inject.Length ? inject[i] : new string('x', messageLength) + i;
            await log.WriteAsync(i % 2 == 0 ? LogStream.Stdout : LogStream.Stderr, message, "info");
        }

        channel.Writer.Complete();
        return channel;
    }

    [Test]
    public async Task All_lines_arrive_once_in_order_in_chunks_no_larger_than_the_limit()
    {
        var server = new RecordingServer();
        var uploader = new LogUploader(server.SendAsync, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkBytes = 4096 });
        var channel = await WriteLines(500);

        var summary = await uploader.UploadAsync(channel.Reader);

        var lines = server.Lines();
        Assert.That(lines.Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, 500).Select(i => (long)i)));
        Assert.That(server.Bodies.Count, Is.GreaterThan(10));
        Assert.That(server.Bodies.Max(b => Encoding.UTF8.GetByteCount(b)), Is.LessThanOrEqualTo(4096));
        Assert.That(summary.Lines, Is.EqualTo(500));
        Assert.That(summary.Requests, Is.EqualTo(server.Bodies.Count));
    }

    [Test]
    public async Task Chunk_refused_with_413_is_split_and_every_line_still_arrives_once()
    {
        var server = new RecordingServer { RejectBodiesOver = 1000 };
        var uploader = new LogUploader(server.SendAsync, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkBytes = 64 * 1024 });
        var channel = await WriteLines(100);

        await uploader.UploadAsync(channel.Reader);

        Assert.That(server.Lines().Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, 100).Select(i => (long)i)));
        Assert.That(server.Bodies, Has.All.Matches<string>(b => Encoding.UTF8.GetByteCount(b) <= 1000));
    }

    [Test]
    public async Task Single_line_refused_with_413_is_a_clear_error()
    {
        var server = new RecordingServer { RejectBodiesOver = 50 };
        var uploader = new LogUploader(server.SendAsync, SecretRedactor.UrlsOnly);
        var channel = await WriteLines(3);

        var error = Assert.ThrowsAsync<DatabackerApiException>(() => uploader.UploadAsync(channel.Reader));
        Assert.That(error!.Message, Does.Contain("single log line"));
    }

    [Test]
    public async Task Secrets_never_reach_the_server()
    {
        var server = new RecordingServer();
        var uploader = new LogUploader(server.SendAsync, SecretRedactorTests.FromTestConfiguration());
        var channel = await WriteLines(2, 10, "password is db-Pa55word", "key s3-s3cret-key via https://a:b@h.example.com/");

        await uploader.UploadAsync(channel.Reader);

        var all = string.Concat(server.Bodies);
        Assert.That(all, Does.Not.Contain("db-Pa55word"));
        Assert.That(all, Does.Not.Contain("s3-s3cret-key"));
        Assert.That(all, Does.Not.Contain("a:b@"));
        Assert.That(all, Does.Contain(SecretRedactor.Mask));
    }

    [Test]
    public async Task A_partial_chunk_is_sent_after_the_maximum_delay_while_the_run_goes_on()
    {
        var time = new FakeTimeProvider();
        var server = new RecordingServer();
        var uploader = new LogUploader(server.SendAsync, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkDelay = TimeSpan.FromSeconds(2) }, time);
        var channel = Channel.CreateUnbounded<LogEntry>();
        var log = new RunLog(Guid.NewGuid(), channel.Writer, time);
        var upload = uploader.UploadAsync(channel.Reader);

        await log.WriteAsync(LogStream.Stdout, "first");
        await Task.Delay(50);
        Assert.That(server.Bodies, Is.Empty, "a chunk must wait for more lines until the delay passes");
        time.Advance(TimeSpan.FromSeconds(3));
        for (var i = 0; i < 100 && server.Bodies.Count == 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.That(server.Bodies, Has.Count.EqualTo(1));
        Assert.That(upload.IsCompleted, Is.False);
        channel.Writer.Complete();
        await upload;
    }
}
