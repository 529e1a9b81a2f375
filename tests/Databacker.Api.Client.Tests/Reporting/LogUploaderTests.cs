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

        /// <summary>Acknowledges one line fewer than each body holds, as a controller that lost some would.</summary>
        public bool AcknowledgesFewer { get; init; }

        public List<string> Bodies { get; } = [];

        /// <summary>Every request in order: its size and whether it was accepted.</summary>
        public List<(int Bytes, bool Accepted)> Attempts { get; } = [];

        public Task<LogReceipt> SendAsync(Stream body, CancellationToken cancellationToken)
        {
            var text = new StreamReader(body, Encoding.UTF8).ReadToEnd();
            var bytes = Encoding.UTF8.GetByteCount(text);
            var refused = RejectBodiesOver is { } limit && bytes > limit;
            lock (Attempts)
            {
                Attempts.Add((bytes, !refused));
            }

            if (refused)
            {
                throw new DatabackerApiException("too large", 413, null, new Dictionary<string, IEnumerable<string>>(), null);
            }

            lock (Bodies)
            {
                Bodies.Add(text);
            }

            var lines = text.Count(c => c == '\n');
            return Task.FromResult(new LogReceipt { Accepted = AcknowledgesFewer ? lines - 1 : lines });
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
    public async Task After_a_413_later_chunks_are_capped_at_the_size_the_server_accepted()
    {
        // A controller with a 64 KiB limit and the default 4 MiB chunks: the first chunk is split by 413s, and every
        // later request (also the chunk encoded while that 413 was pending) fits, without another 413.
        var server = new RecordingServer { RejectBodiesOver = 64 * 1024 };
        var logger = new RecordingLogger();
        var uploader = new LogUploader(server.SendAsync, SecretRedactor.UrlsOnly, null, null, logger);
        var channel = await WriteLines(80_000);

        var summary = await uploader.UploadAsync(channel.Reader);

        Assert.That(server.Lines().Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, 80_000).Select(i => (long)i)));
        var firstAccepted = server.Attempts.FindIndex(a => a.Accepted);
        Assert.That(firstAccepted, Is.GreaterThan(0), "the first chunk was refused");
        var cap = server.Attempts.Where(a => a.Accepted).Take(64).Max(a => a.Bytes);
        var later = server.Attempts.Skip(server.Attempts.Count / 2).ToList();
        Assert.That(later, Has.All.Matches<(int Bytes, bool Accepted)>(a => a.Accepted), "no 413 after the first split");
        Assert.That(server.Attempts.Count(a => !a.Accepted), Is.LessThanOrEqualTo(10), "one chunk split, not every chunk");
        Assert.That(later.Max(a => a.Bytes), Is.LessThanOrEqualTo(cap));
        Assert.That(summary.Lines, Is.EqualTo(80_000));
        Assert.That(summary.Requests, Is.EqualTo(server.Bodies.Count));
        Assert.That(logger.Messages, Has.Count.EqualTo(1).And.Some.Contains("capped"));
    }

    [Test]
    public async Task A_receipt_for_fewer_lines_than_were_sent_is_logged_and_a_full_one_is_not()
    {
        var short_ = new RecordingServer { AcknowledgesFewer = true };
        var full = new RecordingServer();
        var shortLogger = new RecordingLogger();
        var fullLogger = new RecordingLogger();

        await new LogUploader(short_.SendAsync, SecretRedactor.UrlsOnly, null, null, shortLogger).UploadAsync((await WriteLines(10)).Reader);
        await new LogUploader(full.SendAsync, SecretRedactor.UrlsOnly, null, null, fullLogger).UploadAsync((await WriteLines(10)).Reader);

        Assert.Multiple(() =>
        {
            Assert.That(shortLogger.Messages, Has.Count.EqualTo(1).And.Some.Contains("9 new and 0 duplicate line(s) of a log request of 10"));
            Assert.That(fullLogger.Messages, Is.Empty);
        });
    }

    [Test]
    public async Task A_flush_after_a_413_still_waits_for_its_lines_under_the_cap()
    {
        var server = new RecordingServer { RejectBodiesOver = 16 * 1024 };
        var uploader = new LogUploader(server.SendAsync, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkDelay = TimeSpan.FromHours(1) }, new FakeTimeProvider());
        await using var session = uploader.Start();
        var log = new RunLog(Guid.NewGuid(), session.Writer);
        for (var phase = 0; phase < 3; phase++)
        {
            for (var i = 0; i < 2000; i++)
            {
                await log.WriteAsync(LogStream.Stdout, new string('x', 100) + i, "info");
            }

            await session.FlushAsync();
            Assert.That(server.Lines(), Has.Count.EqualTo((phase + 1) * 2000), "every line before the flush is accepted");
        }

        Assert.That(server.Attempts.Skip(server.Attempts.FindIndex(a => a.Accepted)).Count(a => !a.Accepted), Is.LessThanOrEqualTo(2));
        Assert.That(server.Lines().Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, 6000).Select(i => (long)i)));
    }

    private sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
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

    [Test]
    public async Task Body_is_streamed_without_a_length_and_lines_reach_the_server_before_the_chunk_ends()
    {
        var time = new FakeTimeProvider();
        var firstLine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var canSeek = true;
        var received = new List<string>();
        async Task<LogReceipt> Send(Stream body, CancellationToken ct)
        {
            canSeek = body.CanSeek;
            using var reader = new StreamReader(body);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                received.Add(line);
                firstLine.TrySetResult(line);
            }

            return new LogReceipt { Accepted = received.Count };
        }

        var uploader = new LogUploader(Send, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkDelay = TimeSpan.FromMinutes(1) }, time);
        await using var session = uploader.Start();
        var log = new RunLog(Guid.NewGuid(), session.Writer, time);
        await log.WriteAsync(LogStream.Stdout, "streamed before the chunk ends");

        // No time passes and the chunk is far from full, yet the line is on its way: the body streams.
        var line = await firstLine.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(JsonConvert.DeserializeObject<LogEntry>(line)!.Message, Is.EqualTo("streamed before the chunk ends"));
        Assert.That(canSeek, Is.False, "a body of unknown length is sent with chunked transfer");

        await log.WriteAsync(LogStream.Stdout, "second");
        var summary = await session.CompleteAsync();
        Assert.That(received, Has.Count.EqualTo(2));
        Assert.That(summary, Is.EqualTo(new LogUploadSummary(2, 1, summary.Bytes)));
    }

    [Test]
    public async Task FlushAsync_delivers_the_lines_written_so_far_without_waiting_for_the_delay()
    {
        var time = new FakeTimeProvider();
        var server = new RecordingServer();
        var uploader = new LogUploader(server.SendAsync, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkDelay = TimeSpan.FromHours(1) }, time);
        var session = uploader.Start();
        var log = new RunLog(Guid.NewGuid(), session.Writer, time);
        for (var i = 0; i < 3; i++)
        {
            await log.WriteAsync(LogStream.Stdout, "line " + i);
        }

        await session.FlushAsync();

        Assert.That(server.Lines().Select(l => l.Message), Is.EqualTo(new[] { "line 0", "line 1", "line 2" }));
        Assert.That(session.Completion.IsCompleted, Is.False);
        await log.WriteAsync(LogStream.Stdout, "line 3");
        await session.FlushAsync();
        await session.FlushAsync(); // nothing pending: completes at once
        Assert.That(server.Bodies, Has.Count.EqualTo(2));
        var summary = await session.CompleteAsync();
        Assert.That(summary.Lines, Is.EqualTo(4));
    }

    [Test]
    public async Task Disposing_a_session_sends_the_lines_still_pending()
    {
        var server = new RecordingServer();
        var uploader = new LogUploader(server.SendAsync, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkDelay = TimeSpan.FromHours(1) }, new FakeTimeProvider());
        await using (var session = uploader.Start())
        {
            await session.Writer.WriteAsync(new LogEntry { Run = Guid.NewGuid(), Seq = 7, Stream = LogStream.Stderr, Message = "last words" });
        }

        Assert.That(server.Lines().Single().Seq, Is.EqualTo(7));
    }

    [Test]
    public async Task A_failing_sender_fails_the_flush_and_the_writers_once_the_resends_run_out()
    {
        var attempts = 0;
        var uploader = new LogUploader(
            (_, _) =>
            {
                Interlocked.Increment(ref attempts);
                throw new HttpRequestException("controller down");
            },
            SecretRedactor.UrlsOnly,
            new LogUploaderOptions { ResendDelay = TimeSpan.Zero },
            new FakeTimeProvider());
        var session = uploader.Start();
        await session.Writer.WriteAsync(new LogEntry { Run = Guid.NewGuid(), Stream = LogStream.Stdout, Message = "x" });

        Assert.ThrowsAsync<HttpRequestException>(() => session.FlushAsync());
        Assert.That(Volatile.Read(ref attempts), Is.EqualTo(4), "the request and its three resends");
        Assert.ThrowsAsync<HttpRequestException>(() => session.CompleteAsync());
        Assert.CatchAsync<Exception>(async () => await session.Writer.WriteAsync(new LogEntry { Run = Guid.NewGuid(), Stream = LogStream.Stdout, Message = "y" }));
    }

    [Test]
    public async Task Lines_read_back_as_the_entries_written_with_secrets_in_fields_masked()
    {
        var server = new RecordingServer();
        var uploader = new LogUploader(server.SendAsync, SecretRedactorTests.FromTestConfiguration());
        var run = Guid.NewGuid();
        var at = new DateTimeOffset(2026, 11, 26, 22, 40, 1, 123, TimeSpan.FromHours(2));
        var channel = Channel.CreateUnbounded<LogEntry>();
        channel.Writer.TryWrite(new LogEntry
        {
            Run = run, Seq = 42, Timestamp = at, Level = "warn", Stream = LogStream.Stderr,
            Message = "quote \" back\\slash \u00e9\u4e2d \ud83d\ude00 tab\t <html> & 'x' lone \ud800 end",
            Fields = new Dictionary<string, object> { ["password"] = "db-Pa55word", ["nested"] = new Dictionary<string, object> { ["k"] = "s3-s3cret-key" }, ["n"] = 5 },
        });
        channel.Writer.Complete();

        await uploader.UploadAsync(channel.Reader);

        var body = server.Bodies.Single();
        Assert.That(body, Does.Not.Contain("db-Pa55word").And.Not.Contain("s3-s3cret-key"));
        var line = server.Lines().Single();
        Assert.That(line.Run, Is.EqualTo(run));
        Assert.That(line.Seq, Is.EqualTo(42));
        Assert.That(line.Timestamp, Is.EqualTo(at));
        Assert.That(line.Level, Is.EqualTo("warn"));
        Assert.That(line.Stream, Is.EqualTo(LogStream.Stderr));
        Assert.That(line.Message, Does.StartWith("quote \" back\\slash \u00e9\u4e2d \ud83d\ude00 tab\t <html> & 'x' lone "));
        Assert.That(line.Fields!["password"], Is.EqualTo(SecretRedactor.Mask));
        Assert.That(line.Fields["n"], Is.EqualTo(5L));
    }

    [Test]
    public async Task Chunk_refused_with_413_while_streaming_is_split_without_losing_lines_written_after_it()
    {
        // The server answers 413 after reading only part of the body, as a real one does at its limit.
        var bodies = new List<string>();
        async Task<LogReceipt> Send(Stream body, CancellationToken ct)
        {
            var buffer = new byte[2000];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), ct)) > 0)
            {
                read += n;
            }

            if (read == buffer.Length)
            {
                throw new DatabackerApiException("too large", 413, null, new Dictionary<string, IEnumerable<string>>(), null);
            }

            lock (bodies)
            {
                bodies.Add(Encoding.UTF8.GetString(buffer, 0, read));
            }

            return new LogReceipt();
        }

        var uploader = new LogUploader(Send, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkBytes = 64 * 1024 });
        var channel = await WriteLines(300);

        var summary = await uploader.UploadAsync(channel.Reader);

        var seqs = bodies.SelectMany(b => b.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(l => JsonConvert.DeserializeObject<LogEntry>(l)!.Seq);
        Assert.That(seqs, Is.EqualTo(Enumerable.Range(0, 300).Select(i => (long)i)));
        Assert.That(summary.Lines, Is.EqualTo(300));
    }

    [Test]
    public async Task Lines_encoded_while_a_receipt_is_pending_go_after_its_413_halves_in_order()
    {
        // The first request's receipt is held back until the uploader has taken the next chunk's lines (encoded
        // while it waits), then it is a 413: its halves must be accepted before the lines encoded meanwhile.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var accepted = new List<string>();
        var calls = 0;
        async Task<LogReceipt> Send(Stream body, CancellationToken ct)
        {
            var text = await new StreamReader(body, Encoding.UTF8).ReadToEndAsync(ct);
            if (Interlocked.Increment(ref calls) == 1)
            {
                await release.Task.WaitAsync(ct);
                throw new DatabackerApiException("too large", 413, null, new Dictionary<string, IEnumerable<string>>(), null);
            }

            lock (accepted)
            {
                accepted.Add(text);
            }

            return new LogReceipt();
        }

        var uploader = new LogUploader(Send, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkBytes = 4096 });
        var channel = await WriteLines(100);
        var upload = uploader.UploadAsync(channel.Reader);

        // A chunk holds about 16 lines; wait (bounded) until the uploader took far more than one chunk.
        for (var i = 0; i < 500 && channel.Reader.Count > 70; i++)
        {
            await Task.Delay(10);
        }

        Assert.That(channel.Reader.Count, Is.LessThanOrEqualTo(70), "lines were taken while the receipt was pending");
        release.SetResult();
        var summary = await upload;

        var seqs = accepted.SelectMany(b => b.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(l => JsonConvert.DeserializeObject<LogEntry>(l)!.Seq);
        Assert.That(seqs, Is.EqualTo(Enumerable.Range(0, 100).Select(i => (long)i)));
        Assert.That(summary.Lines, Is.EqualTo(100));
        Assert.That(summary.Requests, Is.EqualTo(accepted.Count));
    }

    [Test]
    public async Task A_sequence_is_uploaded_whole_and_in_order_in_bounded_chunks()
    {
        var server = new RecordingServer();
        var uploader = new LogUploader(server.SendAsync, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkBytes = 4096 });
        var run = Guid.NewGuid();

        async IAsyncEnumerable<LogEntry> Lines()
        {
            for (var i = 0; i < 300; i++)
            {
                if (i % 50 == 0)
                {
                    await Task.Yield();
                }

                yield return new LogEntry { Run = run, Seq = i, Stream = LogStream.Stdout, Message = "line " + i };
            }
        }

        var summary = await uploader.UploadAsync(Lines());

        Assert.That(server.Lines().Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, 300).Select(i => (long)i)));
        Assert.That(server.Bodies.Max(b => Encoding.UTF8.GetByteCount(b)), Is.LessThanOrEqualTo(4096));
        Assert.That(summary.Lines, Is.EqualTo(300));
    }

    [Test]
    public async Task A_chunk_whose_lines_never_run_dry_is_still_cut_at_the_maximum_delay()
    {
        // Every line is ready when asked for, but each takes 10 ms of (fake) time: the 2 s cut still applies.
        var time = new FakeTimeProvider();
        var server = new RecordingServer();
        var uploader = new LogUploader(server.SendAsync, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkDelay = TimeSpan.FromSeconds(2) }, time);
        var run = Guid.NewGuid();

        async IAsyncEnumerable<LogEntry> Lines()
        {
            for (var i = 0; i < 1000; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(10));
                yield return new LogEntry { Run = run, Seq = i, Stream = LogStream.Stdout, Message = "line " + i };
            }

            await Task.CompletedTask;
        }

        var summary = await uploader.UploadAsync(Lines());

        Assert.That(server.Lines().Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, 1000).Select(i => (long)i)));
        Assert.That(server.Bodies, Has.Count.GreaterThanOrEqualTo(4), "about 10 s of lines, cut every 2 to 3 s");
        Assert.That(server.Bodies.Select(b => b.Count(c => c == '\n')), Has.All.LessThanOrEqualTo(300));
        Assert.That(summary.Lines, Is.EqualTo(1000));
    }

    [Test]
    public async Task A_slow_sequence_has_its_partial_chunk_sent_at_the_deadline_and_loses_no_line_waiting()
    {
        var time = new FakeTimeProvider();
        var server = new RecordingServer();
        var uploader = new LogUploader(server.SendAsync, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkDelay = TimeSpan.FromSeconds(2) }, time);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Guid.NewGuid();

        async IAsyncEnumerable<LogEntry> Lines()
        {
            yield return new LogEntry { Run = run, Seq = 0, Stream = LogStream.Stdout, Message = "first" };
            await second.Task;
            yield return new LogEntry { Run = run, Seq = 1, Stream = LogStream.Stdout, Message = "second" };
        }

        var upload = uploader.UploadAsync(Lines());
        await Task.Delay(50);
        time.Advance(TimeSpan.FromSeconds(3));
        for (var i = 0; i < 200 && server.Bodies.Count == 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.That(server.Bodies, Has.Count.EqualTo(1), "the first line went at the deadline");
        second.SetResult();
        var summary = await upload;

        Assert.That(server.Lines().Select(l => l.Message), Is.EqualTo(new[] { "first", "second" }));
        Assert.That(summary.Requests, Is.EqualTo(2));
    }

    [Test]
    public async Task A_line_that_cannot_be_serialized_fails_the_upload_and_the_request_in_flight()
    {
        Exception? bodyError = null;
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<LogReceipt> Send(Stream body, CancellationToken ct)
        {
            try
            {
                reading.TrySetResult();
                await body.CopyToAsync(Stream.Null, ct);
            }
            catch (Exception error)
            {
                bodyError = error;
                throw;
            }

            return new LogReceipt();
        }

        var uploader = new LogUploader(Send, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkDelay = TimeSpan.FromHours(1) }, new FakeTimeProvider());
        var channel = Channel.CreateUnbounded<LogEntry>();
        var run = Guid.NewGuid();
        channel.Writer.TryWrite(new LogEntry { Run = run, Seq = 0, Stream = LogStream.Stdout, Message = "fine" });

        // The first line goes out on its own (nothing else is waiting), so its request is in flight, streaming, when
        // the bad line comes.
        var upload = uploader.UploadAsync(channel.Reader);
        await reading.Task.WaitAsync(TimeSpan.FromSeconds(30));
        channel.Writer.TryWrite(new LogEntry { Run = run, Seq = 1, Stream = LogStream.Stdout, Message = "bad", Fields = new Dictionary<string, object> { ["x"] = new Exploding() } });
        channel.Writer.Complete();

        Assert.CatchAsync<Exception>(() => upload);
        for (var i = 0; i < 200 && bodyError is null; i++)
        {
            await Task.Delay(10);
        }

        Assert.That(bodyError, Is.Not.Null, "the sender's read of the body fails instead of waiting forever");
    }

    // A field that cannot even be read (an object whose properties throw is now masked by the redactor instead).
    private sealed class Exploding : System.Collections.IEnumerable
    {
        public System.Collections.IEnumerator GetEnumerator() => throw new InvalidOperationException("cannot be read");
    }

    private static DatabackerApiException Status(int status) =>
        new($"status {status}", status, null, new Dictionary<string, IEnumerable<string>>(), null);

    /// <summary>A fake clock that records the due time of every timer created on it (a Task.Delay is one).</summary>
    private sealed class TimerRecordingTime : FakeTimeProvider
    {
        private readonly List<TimeSpan> _dueTimes = [];

        public bool HasTimer(TimeSpan dueTime)
        {
            lock (_dueTimes)
            {
                return _dueTimes.Contains(dueTime);
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            // Recorded once the timer is scheduled, so a test that sees it may advance the clock past it.
            var timer = base.CreateTimer(callback, state, dueTime, period);
            lock (_dueTimes)
            {
                _dueTimes.Add(dueTime);
            }

            return timer;
        }
    }

    // A send whose first `failures` attempts read the body and fail with `failure`; later ones reach the server.
    private static Func<Stream, CancellationToken, Task<LogReceipt>> FailingFirst(int failures, Func<Exception> failure, RecordingServer server, Func<int> attempt) =>
        (body, ct) =>
        {
            if (attempt() <= failures)
            {
                body.CopyTo(Stream.Null);
                return Task.FromException<LogReceipt>(failure());
            }

            return server.SendAsync(body, ct);
        };

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.That(condition(), Is.True, "condition not reached within 10 s");
    }

    [Test]
    public async Task A_streamed_request_cut_off_on_the_way_is_sent_again_from_the_kept_lines()
    {
        // The connection drops after the server read the first line of a streamed body: the pipeline cannot send that
        // stream again, the uploader can.
        var time = new FakeTimeProvider();
        var received = new List<string>();
        var attempts = 0;
        var firstRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<LogReceipt> Send(Stream body, CancellationToken ct)
        {
            var attempt = Interlocked.Increment(ref attempts);
            using var reader = new StreamReader(body);
            if (attempt == 1)
            {
                await reader.ReadLineAsync(ct);
                firstRead.TrySetResult();
                throw new HttpRequestException("connection reset");
            }

            while (await reader.ReadLineAsync(ct) is { } line)
            {
                lock (received)
                {
                    received.Add(line);
                }
            }

            return new LogReceipt();
        }

        var uploader = new LogUploader(Send, SecretRedactor.UrlsOnly, new LogUploaderOptions { MaxChunkDelay = TimeSpan.FromMinutes(1), ResendDelay = TimeSpan.Zero }, time);
        var session = uploader.Start();
        var log = new RunLog(Guid.NewGuid(), session.Writer, time);
        await log.WriteAsync(LogStream.Stdout, "first");
        await firstRead.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await log.WriteAsync(LogStream.Stdout, "second");

        var summary = await session.CompleteAsync();

        var messages = received.Select(l => JsonConvert.DeserializeObject<LogEntry>(l)!.Message);
        Assert.That(messages, Is.EqualTo(new[] { "first", "second" }));
        Assert.That(summary.Lines, Is.EqualTo(2));
    }

    [Test]
    public async Task A_request_answered_503_is_sent_again_after_a_wait_that_doubles()
    {
        var time = new TimerRecordingTime();
        var server = new RecordingServer();
        var attempts = 0;
        var send = FailingFirst(2, () => Status(503), server, () => Interlocked.Increment(ref attempts));

        var uploader = new LogUploader(send, SecretRedactor.UrlsOnly, new LogUploaderOptions { ResendDelay = TimeSpan.FromSeconds(1), MaxChunkDelay = TimeSpan.FromMinutes(1) }, time);
        var upload = uploader.UploadAsync(await WriteLines(20));

        await Eventually(() => time.HasTimer(TimeSpan.FromSeconds(1)));
        Assert.That(Volatile.Read(ref attempts), Is.EqualTo(1));
        time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(50);
        Assert.That(Volatile.Read(ref attempts), Is.EqualTo(1), "not before the first wait");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually(() => time.HasTimer(TimeSpan.FromSeconds(2)));
        Assert.That(Volatile.Read(ref attempts), Is.EqualTo(2));
        time.Advance(TimeSpan.FromMilliseconds(1999));
        await Task.Delay(50);
        Assert.That(Volatile.Read(ref attempts), Is.EqualTo(2), "the second wait is twice the first");
        time.Advance(TimeSpan.FromMilliseconds(1));

        var summary = await upload.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(server.Lines().Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, 20).Select(i => (long)i)));
        Assert.That(summary.Lines, Is.EqualTo(20));
        Assert.That(attempts, Is.EqualTo(3));
        Assert.That((summary.Requests, summary.Resends), Is.EqualTo((1, 2)), "one request acknowledged, after two resends");
    }

    [Test]
    public async Task A_controllers_Retry_After_is_waited_before_the_resend_when_longer()
    {
        var time = new TimerRecordingTime();
        var server = new RecordingServer();
        var attempts = 0;
        var send = FailingFirst(
            1,
            () => new RateLimitedException("slow down", new ApiCallDetails { StatusCode = HttpStatusCode.TooManyRequests }, TimeSpan.FromSeconds(30)),
            server,
            () => Interlocked.Increment(ref attempts));

        var uploader = new LogUploader(send, SecretRedactor.UrlsOnly, new LogUploaderOptions { ResendDelay = TimeSpan.FromSeconds(1), MaxChunkDelay = TimeSpan.FromMinutes(1) }, time);
        var upload = uploader.UploadAsync(await WriteLines(5));

        await Eventually(() => time.HasTimer(TimeSpan.FromSeconds(30)) || time.HasTimer(TimeSpan.FromSeconds(1)));
        Assert.That(Volatile.Read(ref attempts), Is.EqualTo(1));
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(50);
        Assert.That(Volatile.Read(ref attempts), Is.EqualTo(1), "the controller asked for 30 s");
        time.Advance(TimeSpan.FromSeconds(1));

        var summary = await upload.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(summary.Lines, Is.EqualTo(5));
        Assert.That(summary.Resends, Is.EqualTo(1));
    }

    [Test]
    public async Task Resends_of_the_halves_of_a_refused_body_are_counted_apart_from_the_requests()
    {
        // The whole body is refused as too large; the first half fails on the way once and is sent again.
        var server = new RecordingServer();
        var attempts = 0;
        var uploader = new LogUploader(
            (body, ct) => Interlocked.Increment(ref attempts) switch
            {
                1 => Drained(body, Status(413)),
                2 => Drained(body, Status(503)),
                _ => server.SendAsync(body, ct),
            },
            SecretRedactor.UrlsOnly,
            new LogUploaderOptions { ResendDelay = TimeSpan.Zero, MaxChunkDelay = TimeSpan.FromMinutes(1) });

        var summary = await uploader.UploadAsync(await WriteLines(10));

        Assert.That(server.Lines().Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (long)i)));
        Assert.That((summary.Lines, summary.Requests, summary.Resends), Is.EqualTo((10L, server.Bodies.Count, 1)), "the acknowledged pieces, and one resend of the first half");

        static Task<LogReceipt> Drained(Stream body, Exception failure)
        {
            body.CopyTo(Stream.Null);
            return Task.FromException<LogReceipt>(failure);
        }
    }

    [Test]
    public async Task A_resend_answered_413_is_still_counted()
    {
        // 503 to the whole body, 413 to its resend, then the halves go through.
        var server = new RecordingServer();
        var attempts = 0;
        var uploader = new LogUploader(
            (body, ct) =>
            {
                var attempt = Interlocked.Increment(ref attempts);
                if (attempt <= 2)
                {
                    body.CopyTo(Stream.Null);
                    return Task.FromException<LogReceipt>(Status(attempt == 1 ? 503 : 413));
                }

                return server.SendAsync(body, ct);
            },
            SecretRedactor.UrlsOnly,
            new LogUploaderOptions { ResendDelay = TimeSpan.Zero, MaxChunkDelay = TimeSpan.FromMinutes(1) });

        var summary = await uploader.UploadAsync(await WriteLines(10));

        Assert.That(server.Lines().Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (long)i)));
        Assert.That(summary.Resends, Is.EqualTo(1));
    }

    private static IEnumerable<TestCaseData> NotResent()
    {
        yield return new TestCaseData(Status(400)).SetName("A 400 (bad lines) is not resent");
        yield return new TestCaseData(Status(403)).SetName("A 403 (not allowed) is not resent");
        yield return new TestCaseData(new CircuitOpenException("open", new ApiCallDetails(), null, new InvalidOperationException())).SetName("An open circuit is not resent");
        yield return new TestCaseData(new InvalidOperationException("bug")).SetName("A programming error is not resent");
    }

    [TestCaseSource(nameof(NotResent))]
    public async Task A_refusal_that_resending_cannot_fix_fails_the_upload_at_once(Exception refusal)
    {
        var attempts = 0;
        var uploader = new LogUploader(
            (body, _) =>
            {
                Interlocked.Increment(ref attempts);
                body.CopyTo(Stream.Null);
                return Task.FromException<LogReceipt>(refusal);
            },
            SecretRedactor.UrlsOnly,
            new LogUploaderOptions { ResendDelay = TimeSpan.Zero });

        var thrown = Assert.CatchAsync(async () => await uploader.UploadAsync(await WriteLines(5)));

        Assert.That(thrown, Is.SameAs(refusal));
        Assert.That(attempts, Is.EqualTo(1));
    }

    [Test]
    public void Resend_options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogUploaderOptions { MaxResends = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogUploaderOptions { MaxResends = 11 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogUploaderOptions { ResendDelay = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogUploaderOptions { ResendDelay = TimeSpan.FromMinutes(2) }.Validate());
    }
}
