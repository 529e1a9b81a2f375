using System.Runtime.CompilerServices;
using Databacker.Api.Contracts;

namespace Databacker.Api.Server.Reporting;

/// <summary>
/// A thread-safe in-memory <see cref="ILogStore"/> and <see cref="IEventStore"/> for tests and samples; it keeps
/// everything until the process ends.
/// </summary>
public sealed class InMemoryReportingStore : ILogStore, IEventStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Instance, Guid Run), SortedDictionary<long, LogEntry>> _logs = [];
    private readonly Dictionary<(string Instance, Guid Run), long> _highestSeq = [];
    private readonly Dictionary<(string Instance, Guid Id), Event> _events = [];

    /// <inheritdoc />
    public Task<LogReceipt> AppendAsync(string instance, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        long accepted = 0, duplicates = 0;
        LogEntry? last = null;
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                var key = (instance, entry.Run);
                if (!_logs.TryGetValue(key, out var lines))
                {
                    _logs[key] = lines = [];
                }

                if (lines.TryAdd(entry.Seq, entry))
                {
                    accepted++;
                    if (!_highestSeq.TryGetValue(key, out var highest) || entry.Seq > highest)
                    {
                        _highestSeq[key] = entry.Seq;
                    }
                }
                else
                {
                    duplicates++;
                }

                last = entry;
            }

            // The contract's lastSeq: the highest seq stored for the run (of the last line), not the last line's own.
            long? lastSeq = last is not null && _highestSeq.TryGetValue((instance, last.Run), out var stored) ? stored : null;
            return Task.FromResult(new LogReceipt { Accepted = accepted, Duplicates = duplicates, Run = last?.Run, LastSeq = lastSeq });
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<LogEntry> ReadAsync(string instance, Guid run, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        LogEntry[] snapshot;
        lock (_gate)
        {
            snapshot = _logs.TryGetValue((instance, run), out var lines) ? [.. lines.Values] : [];
        }

        foreach (var line in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return line;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<EventReceipt> AppendAsync(string instance, IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        int accepted = 0, duplicates = 0;
        lock (_gate)
        {
            foreach (var e in events)
            {
                if (_events.TryAdd((instance, e.Id), e))
                {
                    accepted++;
                }
                else
                {
                    duplicates++;
                }
            }
        }

        return Task.FromResult(new EventReceipt { Accepted = accepted, Duplicates = duplicates });
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Event>> ListAsync(string instance, Guid? run = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<Event> result = _events
                .Where(v => v.Key.Instance == instance && (run is null || v.Value.Run == run))
                .Select(v => v.Value)
                .OrderBy(e => e.Timestamp)
                .ToList();
            return Task.FromResult(result);
        }
    }
}
