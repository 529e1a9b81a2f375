using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Databacker.Api.Contracts;

namespace Databacker.Api.Client.Reporting;

/// <summary>
/// The log of one backup run: numbers every line with the run id and a gap-free sequence number, and hands it to
/// a channel (typically read by a <see cref="LogUploader"/>). Thread-safe.
/// </summary>
public sealed class RunLog
{
    private readonly ChannelWriter<LogEntry> _writer;
    private readonly TimeProvider _time;
    private long _nextSeq;

    /// <summary>Creates the log of a run.</summary>
    /// <param name="run">The run id.</param>
    /// <param name="writer">Where lines go.</param>
    /// <param name="timeProvider">The clock for timestamps; the system clock when <see langword="null"/>.</param>
    /// <param name="firstSeq">The first sequence number, e.g. to continue a run after a restart.</param>
    public RunLog(Guid run, ChannelWriter<LogEntry> writer, TimeProvider? timeProvider = null, long firstSeq = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstSeq);
        Run = run;
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _time = timeProvider ?? TimeProvider.System;
        _nextSeq = firstSeq;
    }

    /// <summary>The run id.</summary>
    public Guid Run { get; }

    /// <summary>The sequence number the next line gets.</summary>
    public long NextSeq => Interlocked.Read(ref _nextSeq);

    // The longest log level the contract allows.
    private const int MaxLevelLength = 16;

    // The most characters of one line of a child's output held at once (the contract's longest message).
    private const int MaxCapturedLineChars = 64 * 1024;

    /// <summary>Writes a line.</summary>
    /// <param name="stream">stdout or stderr.</param>
    /// <param name="message">The text.</param>
    /// <param name="level">The level, e.g. <c>info</c>.</param>
    /// <param name="fields">Structured fields.</param>
    /// <param name="cancellationToken">Stops waiting for room in the channel.</param>
    /// <returns>A task that completes when the line is queued.</returns>
    /// <exception cref="ArgumentException"><paramref name="level"/> is longer than the contract's 16 characters.</exception>
    public ValueTask WriteAsync(LogStream stream, string message, string? level = null, IDictionary<string, object>? fields = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (level is { Length: > MaxLevelLength } && level.EnumerateRunes().Count() > MaxLevelLength) // characters as JSON Schema counts them
        {
            throw new ArgumentException($"A log level is at most {MaxLevelLength} characters (e.g. info, warn, error), not '{level}'.", nameof(level));
        }

        var entry = new LogEntry
        {
            Run = Run,
            Seq = Interlocked.Increment(ref _nextSeq) - 1,
            Timestamp = _time.GetUtcNow(),
            Stream = stream,
            Level = level,
            Message = message,
            Fields = fields,
        };
        return _writer.WriteAsync(entry, cancellationToken);
    }

    /// <summary>
    /// Starts a child process and logs its standard output and error line by line until it exits.
    /// </summary>
    /// <param name="startInfo">The process to start; output redirection is set here.</param>
    /// <param name="cancellationToken">Kills the process when cancelled.</param>
    /// <returns>The process exit code.</returns>
    /// <remarks>
    /// When the log can no longer be written (the uploader stopped on an error the controller gave, such as a 403), the
    /// process tree is killed and that error is thrown; so is it when <paramref name="cancellationToken"/> is cancelled.
    /// </remarks>
    public async Task<int> CaptureAsync(ProcessStartInfo startInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"'{startInfo.FileName}' did not start.");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task[] pumps =
        [
            PumpAsync(process.StandardOutput, LogStream.Stdout, "info", stop.Token),
            PumpAsync(process.StandardError, LogStream.Stderr, "error", stop.Token),
        ];
        try
        {
            // The first pump that fails (the log can no longer be written: the upload was refused) ends the capture at
            // once: the other pump would wait for ever on a child blocked writing to the pipe nobody reads.
            var first = await Task.WhenAny(pumps).ConfigureAwait(false);
            await first.ConfigureAwait(false);
            await Task.WhenAll(pumps).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return process.ExitCode;
        }
        catch (Exception error)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            Kill(process);
            try
            {
                await Task.WhenAll(pumps).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The other pump's end (cancelled, or the same closed log) says nothing new.
            }

            // The log's own error (the uploader's refusal), not the closed channel it surfaced as.
            if (error is System.Threading.Channels.ChannelClosedException { InnerException: { } cause })
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has exited already.
        }
    }

    // Lines end at \n, \r or \r\n, as StreamReader.ReadLine has them; but at most MaxCapturedLineChars of one line are
    // held: a longer line is logged in pieces of that size (the uploader cuts each to its MaxMessageLength anyway), so a
    // child that writes without newlines cannot exhaust the agent's memory.
    private async Task PumpAsync(StreamReader reader, LogStream stream, string level, CancellationToken cancellationToken)
    {
        var buffer = new char[8192];
        var line = new StringBuilder();
        var afterCr = false;
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            while (start < read)
            {
                if (afterCr)
                {
                    afterCr = false;
                    if (buffer[start] == '\n')
                    {
                        start++;
                        continue;
                    }
                }

                var end = buffer.AsSpan(start, read - start).IndexOfAny('\r', '\n');
                var take = end < 0 ? read - start : end;
                var room = MaxCapturedLineChars - line.Length;
                if (take > room)
                {
                    line.Append(buffer, start, room);
                    start += room;
                    await EmitAsync().ConfigureAwait(false);
                    continue;
                }

                line.Append(buffer, start, take);
                start += take;
                if (end < 0)
                {
                    break;
                }

                afterCr = buffer[start] == '\r';
                start++;
                await EmitAsync().ConfigureAwait(false);
            }
        }

        if (line.Length > 0)
        {
            await EmitAsync().ConfigureAwait(false);
        }

        async Task EmitAsync()
        {
            var text = line.ToString();
            line.Clear();
            await WriteAsync(stream, text, level, null, cancellationToken).ConfigureAwait(false);
        }
    }
}
