using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Databacker.Api.Client.Reporting;

/// <summary>
/// Ships a run's log lines as NDJSON, redacting every line before it is serialized. Each request is bounded by size
/// (<see cref="LogUploaderOptions.MaxChunkBytes"/>) and time (<see cref="LogUploaderOptions.MaxChunkDelay"/>).
/// Lines that trickle are streamed while they arrive (no length known up front, so HTTP/1.1 uses chunked transfer);
/// a chunk whose lines were all waiting already (a busy log) is sent whole, with its length, while the next chunk
/// is encoded. Requests go one at a time, in order; memory is bounded by two chunks however much is logged. A chunk
/// the server refuses as too large (413) is split in halves and resent; the server deduplicates resent lines by
/// (run, seq). After a 413, later requests of the same upload are no larger than the largest half the server then
/// accepted, so a controller with a body limit below <see cref="LogUploaderOptions.MaxChunkBytes"/> costs one split,
/// not one per request. A request that fails on the way (transport error, timeout, 5xx, 429) is sent again from the
/// kept lines (<see cref="LogUploaderOptions.MaxResends"/>): the pipeline cannot retry a streamed body itself.
/// </summary>
public sealed class LogUploader
{
    // Back-pressure between the uploader and the transport: at most this much waits in the body pipe. The transport
    // gets the body in pieces of up to PushBytes (one pipe segment each): small pieces become small chunks and
    // small socket writes, which cost the agent and the server far more CPU than the bytes themselves.
    private const int PushBytes = 64 * 1024;
    private const int PipePauseBytes = 4 * PushBytes;

    // The longest wait before a resend, whatever the controller's Retry-After.
    private static readonly TimeSpan MaxRetryAfterWait = TimeSpan.FromMinutes(1);

    private readonly Func<Stream, CancellationToken, Task<LogReceipt>> _send;
    private readonly SecretRedactor _redactor;
    private readonly LogUploaderOptions _options;
    private readonly int _maxChunkBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates an uploader.</summary>
    /// <param name="send">
    /// Sends one NDJSON body, e.g. <c>(body, ct) => reporting.PostLogsAsync(body, instanceId, ct)</c>. The body is
    /// either a stream without a length that ends when the chunk is complete, or (a chunk complete before it is sent)
    /// a stream with a length; read it to its end. It is called once at a time, possibly on the uploader's thread.
    /// </param>
    /// <param name="redactor">Removes secrets from every line before it is serialized.</param>
    /// <param name="options">Chunking options; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    public LogUploader(Func<Stream, CancellationToken, Task<LogReceipt>> send, SecretRedactor redactor, LogUploaderOptions? options = null, TimeProvider? timeProvider = null)
        : this(send, redactor, options, timeProvider, null)
    {
    }

    // maxChunkBytes: a limit of the sender below MaxChunkBytes (a spool segment), for every chunk of this uploader.
    internal LogUploader(Func<Stream, CancellationToken, Task<LogReceipt>> send, SecretRedactor redactor, LogUploaderOptions? options, TimeProvider? timeProvider, ILogger? logger, int maxChunkBytes = int.MaxValue)
    {
        _send = send ?? throw new ArgumentNullException(nameof(send));
        _redactor = redactor ?? throw new ArgumentNullException(nameof(redactor));
        _options = options ?? new LogUploaderOptions();
        _options.Validate();
        _maxChunkBytes = Math.Min(_options.MaxChunkBytes, maxChunkBytes);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Starts an upload that takes lines through <see cref="LogUploadSession.Writer"/> and can be flushed: use it
    /// when lines must not wait in memory at a point that matters (before a risky step, at the end of a phase).
    /// </summary>
    /// <param name="cancellationToken">Stops the upload.</param>
    /// <returns>The running upload; complete or dispose it when the run ends.</returns>
    public LogUploadSession Start(CancellationToken cancellationToken = default)
    {
        var items = Channel.CreateBounded<LogUploadItem>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true });
        return new LogUploadSession(items, Task.Run(() => RunAsync(new SessionSource(items), cancellationToken), CancellationToken.None));
    }

    /// <summary>Uploads lines as they arrive until the channel completes.</summary>
    /// <param name="lines">The lines; complete the writer when the run ends.</param>
    /// <param name="cancellationToken">Stops the upload.</param>
    /// <returns>What was delivered.</returns>
    public Task<LogUploadSummary> UploadAsync(ChannelReader<LogEntry> lines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return RunAsync(new ChannelSource(lines), cancellationToken);
    }

    /// <summary>Uploads every line of a sequence, read directly (no queue between the sequence and the upload).</summary>
    /// <param name="lines">The lines.</param>
    /// <param name="cancellationToken">Stops the upload.</param>
    /// <returns>What was delivered.</returns>
    public async Task<LogUploadSummary> UploadAsync(IAsyncEnumerable<LogEntry> lines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var enumerator = lines.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            return await RunAsync(new EnumeratorSource(enumerator), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<LogUploadSummary> RunAsync(LineSource source, CancellationToken cancellationToken)
    {
        var encoder = new LogLineEncoder(_redactor, _options.MaxMessageLength);

        // The most bytes per request for the rest of this upload: MaxChunkBytes (or the sender's lower upload) until a 413 lowers it.
        var upload = new UploadState { ChunkBytes = _maxChunkBytes };

        // Two chunks: the one whose receipt is pending (kept for a 413 split) and the next one, filled meanwhile.
        var chunks = new[] { NewChunk(), NewChunk() };
        var next = 0;
        var totals = new Totals();
        TaskCompletionSource? flush = null;
        ChunkRequest? request = null;

        // The last request whose body is complete and whose receipt is pending. While the server reads the end of
        // its body and answers, the next chunk's lines are encoded already (but not sent: one request at a time,
        // so requests, 413 splits and receipts stay in order and a sender never runs twice at once).
        ChunkRequest? previous = null;
        try
        {
            ReadOnlyMemory<byte> carried = default;
            while (true)
            {
                // Idle: wait for the first line of the next chunk; a flush now only waits for the pending receipt.
                if (carried.IsEmpty)
                {
                    if (!source.TryRead(out var first, out flush))
                    {
                        if (previous is not null)
                        {
                            // Nothing to encode meanwhile: take the receipt before waiting for lines.
                            totals.Add(await FinishAsync(previous, upload, cancellationToken).ConfigureAwait(false));
                            previous = null;
                            continue;
                        }

                        if (!await source.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            break;
                        }

                        continue;
                    }

                    if (flush is not null)
                    {
                        if (previous is not null)
                        {
                            totals.Add(await FinishAsync(previous, upload, cancellationToken).ConfigureAwait(false));
                            previous = null;
                        }

                        flush.TrySetResult();
                        flush = null;
                        continue;
                    }

                    carried = encoder.Encode(first!);
                }

                var chunk = chunks[next];
                next ^= 1;
                chunk.ResetWrittenCount();
                chunk.Write(carried.Span);
                carried = default;
                var lines = 1;
                var full = false;
                var opened = _time.GetTimestamp();

                // Take every line that is waiting already (also while the previous receipt is pending). A chunk that
                // fills (or is flushed) before the lines run dry is sent whole: with its length, from this thread,
                // without a body pipe or a thread-pool hand-off, while the next chunk is encoded. Only a chunk whose
                // lines trickle is streamed while they arrive (below).
                while (source.TryRead(out var waiting, out flush))
                {
                    if (flush is not null)
                    {
                        break;
                    }

                    var line = encoder.Encode(waiting!);
                    if (chunk.WrittenCount + line.Length > upload.ChunkBytes)
                    {
                        carried = line;
                        full = true;
                        break;
                    }

                    chunk.Write(line.Span);
                    lines++;
                    if ((lines & 255) == 0 && _time.GetElapsedTime(opened) >= _options.MaxChunkDelay)
                    {
                        full = true; // lines keep coming, but slowly: the chunk waited long enough
                        break;
                    }
                }

                if (previous is not null)
                {
                    var answered = previous;
                    previous = null;
                    totals.Add(await FinishAsync(answered, upload, cancellationToken).ConfigureAwait(false));
                }

                if ((full || flush is not null) && chunk.WrittenCount > upload.ChunkBytes)
                {
                    // Filled while a 413 was pending: sent in pieces under the lowered upload, not as a sure 413.
                    totals.Add(await SendPiecesAsync(chunk.WrittenMemory, upload, cancellationToken).ConfigureAwait(false));
                    flush?.TrySetResult();
                    flush = null;
                    continue;
                }

                if (full || flush is not null)
                {
                    previous = ChunkRequest.SendWhole(_send, chunk, lines, cancellationToken);
                    if (flush is not null)
                    {
                        // Everything written before the flush is in this request: it is acknowledged with its receipt.
                        totals.Add(await FinishAsync(previous, upload, cancellationToken).ConfigureAwait(false));
                        previous = null;
                        flush.TrySetResult();
                        flush = null;
                    }

                    continue;
                }

                request = new ChunkRequest(_send, chunk, lines, cancellationToken);
                var ended = false;
                var remaining = _options.MaxChunkDelay - _time.GetElapsedTime(opened);
                using (var deadline = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromTicks(1), _time))
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token))
                {
                    while (!ended && !request.Answered)
                    {
                        if (source.TryRead(out var entry, out flush))
                        {
                            if (flush is not null)
                            {
                                break;
                            }

                            var line = encoder.Encode(entry!);
                            if (request.Bytes + line.Length > upload.ChunkBytes)
                            {
                                carried = line;
                                break;
                            }

                            request.Add(line.Span);
                            if (request.Unpushed >= PushBytes && !await request.PushAsync(cancellationToken).ConfigureAwait(false))
                            {
                                break;
                            }

                            if ((request.Lines & 255) == 0 && _time.GetElapsedTime(opened) >= _options.MaxChunkDelay)
                            {
                                break; // lines keep coming, but slowly: the chunk waited long enough
                            }

                            continue;
                        }

                        // Nothing waiting: let the transport have what we have, then wait for more or the deadline.
                        if (!await request.PushAsync(cancellationToken).ConfigureAwait(false))
                        {
                            break;
                        }

                        try
                        {
                            ended = !await source.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                        {
                            ended = true; // the chunk waited long enough
                        }
                    }
                }

                await request.CompleteBodyAsync().ConfigureAwait(false);
                previous = request;
                request = null;
                if (flush is not null)
                {
                    // Everything written before the flush is in this request: it is acknowledged with its receipt.
                    totals.Add(await FinishAsync(previous, upload, cancellationToken).ConfigureAwait(false));
                    previous = null;
                    flush.TrySetResult();
                    flush = null;
                }
            }

            return totals.ToSummary() with { Resends = upload.Resends };
        }
        catch (Exception error)
        {
            // A request in flight must not wait for the rest of its body forever: it fails with the error.
            request?.Abort(error);
            previous?.Forget();
            flush?.TrySetException(error);
            source.Fail(error);
            throw;
        }

        ArrayBufferWriter<byte> NewChunk() => new(Math.Min(_maxChunkBytes, 64 * 1024));
    }

    private async Task<Totals> FinishAsync(ChunkRequest request, UploadState upload, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                var receipt = await request.Response.ConfigureAwait(false);
                if (receipt is not null && receipt.Accepted + receipt.Duplicates < request.Lines)
                {
                    // The controller says it kept fewer lines than were sent: nothing to resend (it answered success),
                    // but an operator should know the run's log there is short.
                    LogUploaderLog.Unacknowledged(_logger, request.Lines, receipt.Accepted, receipt.Duplicates);
                }
            }
            catch (Exception error) when (IsResendable(error, cancellationToken))
            {
                // The body was a stream (or a chunk) the pipeline cannot send again; its lines are all still retained.
                await ResendAsync(request.Retained, error, upload, cancellationToken).ConfigureAwait(false);
            }

            return new Totals { Lines = request.Lines, Requests = 1, Bytes = request.Bytes };
        }
        catch (DatabackerApiException error) when (error.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            // The request's lines are all still in its retained chunk: resend them in halves.
            return await SendRefusedAsync(request.Retained, request.Lines, error, upload, cancellationToken).ConfigureAwait(false);
        }
    }

    // A body refused with a 413: its first half is sent (split again while it is refused), and the size the server
    // then accepts caps every later request of this upload, starting with the rest of this body. So a controller
    // with a small limit costs one descent of halves, not one per chunk. The cap is never below 1 KiB (the least
    // MaxChunkBytes); a single line larger than it still goes alone, and a single line refused is an error.
    private async Task<Totals> SendRefusedAsync(ReadOnlyMemory<byte> body, int lines, DatabackerApiException refusal, UploadState upload, CancellationToken cancellationToken)
    {
        if (lines <= 1)
        {
            throw new DatabackerApiException(
                $"The controller refuses even a single log line of {body.Length} bytes as too large.", refusal.Details, refusal);
        }

        // Cut after the newline that ends the middle line.
        var span = body.Span;
        var cut = 0;
        for (var i = 0; i < lines / 2; i++)
        {
            cut += span[cut..].IndexOf((byte)'\n') + 1;
        }

        var first = body[..cut];
        var totals = new Totals();
        try
        {
            await SendBodyAsync(first, upload, cancellationToken).ConfigureAwait(false);
            totals.Add(new Totals { Lines = lines / 2, Requests = 1, Bytes = first.Length });
            var cap = Math.Max(first.Length, 1024);
            if (cap < upload.ChunkBytes)
            {
                upload.ChunkBytes = cap;
                if (!upload.CapLogged)
                {
                    upload.CapLogged = true;
                    LogUploaderLog.ChunksCapped(_logger, body.Length, cap);
                }
            }
        }
        catch (DatabackerApiException error) when (error.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            totals.Add(await SendRefusedAsync(first, lines / 2, error, upload, cancellationToken).ConfigureAwait(false));
        }

        totals.Add(await SendPiecesAsync(body[cut..], upload, cancellationToken).ConfigureAwait(false));
        return totals;
    }

    // Whole lines in order, in requests no larger than the limit (a line larger than it goes alone): the rest of a
    // refused body, or a chunk encoded while the 413 that lowered the limit was pending. A piece refused still is
    // split again.
    private async Task<Totals> SendPiecesAsync(ReadOnlyMemory<byte> body, UploadState upload, CancellationToken cancellationToken)
    {
        var totals = new Totals();
        while (!body.IsEmpty)
        {
            var span = body.Span;
            var cut = 0;
            var count = 0;
            while (cut < span.Length)
            {
                var end = cut + span[cut..].IndexOf((byte)'\n') + 1;
                if (count > 0 && end > upload.ChunkBytes)
                {
                    break;
                }

                cut = end;
                count++;
            }

            var piece = body[..cut];
            body = body[cut..];
            try
            {
                await SendBodyAsync(piece, upload, cancellationToken).ConfigureAwait(false);
                totals.Add(new Totals { Lines = count, Requests = 1, Bytes = piece.Length });
            }
            catch (DatabackerApiException error) when (error.StatusCode == HttpStatusCode.RequestEntityTooLarge)
            {
                totals.Add(await SendRefusedAsync(piece, count, error, upload, cancellationToken).ConfigureAwait(false));
            }
        }

        return totals;
    }

    private async Task SendBodyAsync(ReadOnlyMemory<byte> body, UploadState upload, CancellationToken cancellationToken)
    {
        try
        {
            await SendOnceAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (IsResendable(error, cancellationToken))
        {
            await ResendAsync(body, error, upload, cancellationToken).ConfigureAwait(false);
        }
    }

    // One request with a whole body from memory (a stream with a length).
    private async Task SendOnceAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!MemoryMarshal.TryGetArray(body, out var segment))
        {
            segment = body.ToArray();
        }

        using var stream = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
        await _send(stream, cancellationToken).ConfigureAwait(false);
    }

    // Sends a body again after it failed on the way, up to MaxResends times with doubling waits; a failure that is not
    // worth another try (or the last one) is thrown as raised. A 413 is thrown too: the caller splits the body.
    // Every resend sent is counted in the upload's state, whatever its answer (a 413 to a resend still cost one).
    private async Task ResendAsync(ReadOnlyMemory<byte> body, Exception failure, UploadState upload, CancellationToken cancellationToken)
    {
        var delay = _options.ResendDelay;
        for (var resend = 1; ; resend++)
        {
            if (resend > _options.MaxResends)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            var wait = failure is RateLimitedException { RetryAfter: { } asked } && asked > delay ? Min(asked, MaxRetryAfterWait) : delay;
            LogUploaderLog.Resending(_logger, body.Length, failure.Message, wait, resend, _options.MaxResends);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                Interlocked.Increment(ref upload.Resends);
                await SendOnceAsync(body, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception error) when (IsResendable(error, cancellationToken))
            {
                failure = error;
                delay = Min(delay * 2, MaxRetryAfterWait);
            }
        }

        static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }

    // Failures on the way, which the same lines sent again may get past: the transport, a timeout, a server that is
    // busy or briefly down, a redirect that needs the body again. Never the caller's cancellation, an open circuit
    // (the pipeline already decided the endpoint is failing), a refusal of the lines themselves (400, 413, 422) or of
    // the caller (401, 403), or a spool that is full.
    private static bool IsResendable(Exception error, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return error switch
        {
            CircuitOpenException => false,
            CallTimedOutException or RequestNotReplayableException or RateLimitedException => true,
            DatabackerApiException { StatusCode: { } status } => Resilience.ResilienceHandler.IsTransient(status),
            HttpRequestException => true,
            _ => false,
        };
    }

    // Per upload: the most bytes per request, lowered after a 413 (logged once), and the resends sent.
    private sealed class UploadState
    {
        public int ChunkBytes;
        public bool CapLogged;
        public int Resends;
    }

    private struct Totals
    {
        public long Lines;
        public int Requests;
        public long Bytes;

        public void Add(Totals other)
        {
            Lines += other.Lines;
            Requests += other.Requests;
            Bytes += other.Bytes;
        }

        public readonly LogUploadSummary ToSummary() => new(Lines, Requests, Bytes);
    }

    /// <summary>
    /// One request in flight: its body is either a pipe the transport reads while lines are added, or a whole chunk
    /// sent at once (<see cref="SendWhole"/>); the lines are also kept (at most one chunk) so that a 413 can be
    /// answered by resending them in halves.
    /// </summary>
    private sealed class ChunkRequest
    {
        private static readonly PipeOptions BodyPipe = new(
            pool: MemoryPool<byte>.Shared,
            pauseWriterThreshold: PipePauseBytes,
            resumeWriterThreshold: PipePauseBytes / 2,
            minimumSegmentSize: PushBytes,
            // The transport's copy of a pushed block runs inline in the push (a loopback or LAN socket write mostly
            // completes at once) instead of waking a thread-pool thread for every block: on a busy small machine
            // those hand-offs, and the pool's spinning while it waits for the next one, cost more than the bytes.
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            useSynchronizationContext: false);

        private readonly Pipe? _pipe; // none for a whole chunk
        private readonly ArrayBufferWriter<byte> _retained;
        private readonly Task<LogReceipt> _response;
        private int _pushed;

        private ChunkRequest(ArrayBufferWriter<byte> retained, int lines, Task<LogReceipt> response)
        {
            _retained = retained;
            Lines = lines;
            _pushed = retained.WrittenCount;
            _response = response;
        }

        public ChunkRequest(Func<Stream, CancellationToken, Task<LogReceipt>> send, ArrayBufferWriter<byte> retained, int lines, CancellationToken cancellationToken)
        {
            // The chunk may hold lines already (those that were waiting): they go first.
            _pipe = new Pipe(BodyPipe);
            _retained = retained;
            Lines = lines;
            var body = Pipe.Reader.AsStream();

            // On its own task: a sender that reads the body synchronously must not block the lines feeding it.
            _response = Task.Run(() => send(body, cancellationToken), cancellationToken);

            // An early answer (a 413 before the end, an error) must not leave the writer waiting for a reader.
            _response.ContinueWith(static (_, pipe) => ((Pipe)pipe!).Writer.CancelPendingFlush(), _pipe, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        public int Lines { get; private set; }

        private Pipe Pipe => _pipe ?? throw new InvalidOperationException("A whole chunk has no body pipe.");

        /// <summary>
        /// Sends a complete chunk: the body exists before the request starts, so the sender runs on this thread (even
        /// one that reads the body synchronously cannot wait for lines) and the body has a length. The receipt may be
        /// pending when this returns.
        /// </summary>
        public static ChunkRequest SendWhole(Func<Stream, CancellationToken, Task<LogReceipt>> send, ArrayBufferWriter<byte> retained, int lines, CancellationToken cancellationToken)
        {
            if (!MemoryMarshal.TryGetArray(retained.WrittenMemory, out var segment))
            {
                segment = retained.WrittenMemory.ToArray();
            }

            Task<LogReceipt> response;
            try
            {
                response = send(new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false), cancellationToken);
            }
            catch (Exception error)
            {
                response = Task.FromException<LogReceipt>(error);
            }

            return new ChunkRequest(retained, lines, response);
        }

        public int Bytes => _retained.WrittenCount;

        /// <summary>The lines of this request, kept until it is acknowledged.</summary>
        public ReadOnlyMemory<byte> Retained => _retained.WrittenMemory;

        /// <summary>The receipt; await it once the body is complete.</summary>
        public Task<LogReceipt> Response => _response;

        public long Unpushed => _retained.WrittenCount - _pushed;

        /// <summary>Whether the server answered already, so no more lines can go into this request.</summary>
        public bool Answered => _response.IsCompleted;

        // Lines go only into the retained chunk; the pipe gets them a block at a time (PushAsync). Writing every line
        // to the pipe took the pipe's lock once per line against the transport reading on another thread: that
        // contention (a spinning Monitor) was a third of the agent's CPU.
        public void Add(ReadOnlySpan<byte> line)
        {
            _retained.Write(line);
            Lines++;
        }

        /// <summary>Hands what was added to the transport; false when the request cannot take more.</summary>
        public async ValueTask<bool> PushAsync(CancellationToken cancellationToken)
        {
            WriteUnpushed();
            var result = await Pipe.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            return !result.IsCompleted && !result.IsCanceled && !_response.IsCompleted;
        }

        public void Abort(Exception error) => Pipe.Writer.Complete(error);

        /// <summary>Ends the body: the transport gets the rest, and the server can answer.</summary>
        public ValueTask CompleteBodyAsync()
        {
            WriteUnpushed();
            return Pipe.Writer.CompleteAsync();
        }

        /// <summary>The upload failed elsewhere: this receipt will not be awaited, so its failure is observed here.</summary>
        public void Forget() => _response.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        private void WriteUnpushed()
        {
            if (_pushed < _retained.WrittenCount)
            {
                Pipe.Writer.Write(_retained.WrittenSpan[_pushed..]);
                _pushed = _retained.WrittenCount;
            }
        }
    }

    /// <summary>Where the upload loop takes its lines (and, from a session, flush requests).</summary>
    private abstract class LineSource
    {
        public abstract ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken);

        public abstract bool TryRead(out LogEntry? entry, out TaskCompletionSource? flush);

        public virtual void Fail(Exception error)
        {
        }
    }

    private sealed class ChannelSource(ChannelReader<LogEntry> reader) : LineSource
    {
        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => reader.WaitToReadAsync(cancellationToken);

        public override bool TryRead(out LogEntry? entry, out TaskCompletionSource? flush)
        {
            flush = null;
            return reader.TryRead(out entry);
        }
    }

    /// <summary>
    /// Reads a sequence without a queue: a pending <c>MoveNextAsync</c> survives a chunk's deadline and is awaited
    /// again for the next chunk, so waiting never loses or reorders a line.
    /// </summary>
    private sealed class EnumeratorSource(IAsyncEnumerator<LogEntry> enumerator) : LineSource
    {
        private ValueTask<bool> _next;
        private bool _pending;
        private bool _ready;
        private bool _done;

        public override async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
        {
            if (_ready || _done)
            {
                return _ready;
            }

            Advance();
            if (!_next.IsCompleted)
            {
                // Kept as a task, so the same step can be awaited again after a deadline cancelled this wait.
                var step = _next.AsTask();
                _next = new ValueTask<bool>(step);
                await step.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            Complete();
            return _ready;
        }

        public override bool TryRead(out LogEntry? entry, out TaskCompletionSource? flush)
        {
            flush = null;
            entry = null;
            if (!_ready && !_done)
            {
                Advance();
                if (!_next.IsCompleted)
                {
                    return false;
                }

                Complete();
            }

            if (!_ready)
            {
                return false;
            }

            _ready = false;
            entry = enumerator.Current;
            return true;
        }

        private void Advance()
        {
            if (!_pending)
            {
                _next = enumerator.MoveNextAsync();
                _pending = true;
            }
        }

        private void Complete()
        {
            _pending = false;
            var more = _next.Result;
            _next = default;
            _ready = more;
            _done = !more;
        }
    }

    private sealed class SessionSource(Channel<LogUploadItem> items) : LineSource
    {
        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => items.Reader.WaitToReadAsync(cancellationToken);

        public override bool TryRead(out LogEntry? entry, out TaskCompletionSource? flush)
        {
            if (items.Reader.TryRead(out var item))
            {
                entry = item.Entry;
                flush = item.Flush;
                return true;
            }

            entry = null;
            flush = null;
            return false;
        }

        public override void Fail(Exception error)
        {
            // Writers get the error instead of waiting for room forever, and pending flushes fail with it.
            items.Writer.TryComplete(error);
            while (items.Reader.TryRead(out var item))
            {
                item.Flush?.TrySetException(error);
            }
        }
    }
}
