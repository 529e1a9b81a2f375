using System.Threading.Channels;
using Databacker.Api.Contracts;

namespace Databacker.Api.Client.Reporting;

/// <summary>
/// A running log upload (from <see cref="LogUploader.Start"/>): write lines to <see cref="Writer"/> (e.g. through a
/// <see cref="RunLog"/>), call <see cref="FlushAsync"/> where lines must not wait in memory, and
/// <see cref="CompleteAsync"/> when the run ends. Disposing completes it too.
/// </summary>
public sealed class LogUploadSession : IAsyncDisposable
{
    private readonly Channel<LogUploadItem> _items;

    internal LogUploadSession(Channel<LogUploadItem> items, Task<LogUploadSummary> completion)
    {
        _items = items;
        Writer = new EntryWriter(items.Writer);
        Completion = completion;
    }

    /// <summary>Where the run's lines go; bounded, so a writer waits while the upload catches up.</summary>
    public ChannelWriter<LogEntry> Writer { get; }

    /// <summary>Completes when the upload ended: every line delivered, or the error that stopped it.</summary>
    public Task<LogUploadSummary> Completion { get; }

    /// <summary>
    /// Sends every line written before this call now, without waiting for the chunk to fill or its delay to pass,
    /// and completes when the sender acknowledged them (a sender backed by an outbox acknowledges once they are on
    /// disk). After a kill, nothing written before a completed flush is lost.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the flush still happens).</param>
    /// <returns>A task that completes once the lines are acknowledged.</returns>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _items.Writer.WriteAsync(new LogUploadItem(null, flushed), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Completed already: the upload's end is the flush.
            await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await flushed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the upload: takes no more lines, sends what is pending, and waits until it is acknowledged.</summary>
    /// <param name="cancellationToken">Stops waiting (the upload still finishes).</param>
    /// <returns>What was delivered.</returns>
    public Task<LogUploadSummary> CompleteAsync(CancellationToken cancellationToken = default)
    {
        _items.Writer.TryComplete();
        return Completion.WaitAsync(cancellationToken);
    }

    /// <summary>Completes the upload and waits for it; an upload error is not rethrown here (see <see cref="CompleteAsync"/>).</summary>
    /// <returns>A task that completes when the upload ended.</returns>
    public async ValueTask DisposeAsync()
    {
        _items.Writer.TryComplete();
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Observed through Completion or CompleteAsync; disposal must not mask the error that led to it.
        }
    }

    private sealed class EntryWriter(ChannelWriter<LogUploadItem> items) : ChannelWriter<LogEntry>
    {
        public override bool TryWrite(LogEntry item) => items.TryWrite(new LogUploadItem(item ?? throw new ArgumentNullException(nameof(item)), null));

        public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => items.WaitToWriteAsync(cancellationToken);

        public override ValueTask WriteAsync(LogEntry item, CancellationToken cancellationToken = default)
            => items.WriteAsync(new LogUploadItem(item ?? throw new ArgumentNullException(nameof(item)), null), cancellationToken);

        public override bool TryComplete(Exception? error = null) => items.TryComplete(error);
    }
}
