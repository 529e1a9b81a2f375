using Databacker.Api.Contracts;

namespace Databacker.Api.Server.Reporting;

/// <summary>Builds runs and summaries from the events agents report.</summary>
public static class RunAggregator
{
    /// <summary>Aggregates the events of one instance into its runs, newest first.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="events">Its events, any order, any runs.</param>
    /// <returns>One run per run id.</returns>
    public static IReadOnlyList<Run> Runs(string instance, IEnumerable<Event> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events.GroupBy(e => e.Run).Select(g => Aggregate(instance, g.Key, g)).OrderByDescending(r => r.StartedAt).ToList();
    }

    /// <summary>Aggregates one run: status, start, end, duration, bytes produced, targets and databases.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="run">The run id.</param>
    /// <param name="events">The run's events.</param>
    /// <returns>The run.</returns>
    public static Run Aggregate(string instance, Guid run, IEnumerable<Event> events)
    {
        var ordered = events.OrderBy(e => e.Timestamp).ToList();
        var started = ordered.FirstOrDefault(e => e.Type == EventType.RunStarted) ?? ordered.FirstOrDefault();
        var end = ordered.LastOrDefault(e => e.Type == EventType.RunSucceeded || e.Type == EventType.RunFailed);
        var status = end is null ? RunStatus.Running : end.Type == EventType.RunSucceeded ? RunStatus.Succeeded : RunStatus.Failed;
        // Bytes produced: what the agent reported at the end of the run, else the sum of the dumps. Uploads are
        // not added up: the same dump sent to two targets is not twice the data.
        var dumps = ordered.Where(e => e.Type == EventType.DumpFinished && e.Bytes is not null).ToList();
        return new Run
        {
            Id = run,
            Instance = instance,
            Status = status,
            StartedAt = started?.Timestamp ?? default,
            FinishedAt = end?.Timestamp,
            // Timestamps are the agent's clock, which may step back: an end stamped before the start gives no duration
            // (the contract's minimum is 0), rather than a negative one.
            DurationMs = end?.DurationMs ?? (end is null || started is null || end.Timestamp < started.Timestamp
                ? null
                : (long)(end.Timestamp - started.Timestamp).TotalMilliseconds),
            Bytes = end?.Bytes ?? (dumps.Count == 0 ? null : SaturatingSum(dumps.Select(e => e.Bytes!.Value))),
            Targets = ordered.Where(e => e.Target is not null).Select(e => e.Target!).Distinct().ToList(),
            Databases = ordered.Where(e => e.Database is not null).Select(e => e.Database!).Distinct().ToList(),
            Error = end?.Type == EventType.RunFailed ? end.Error ?? ordered.LastOrDefault(e => e.Error is not null)?.Error : null,
        };
    }

    /// <summary>Successes, failures, last success and failure and mean duration of finished runs.</summary>
    /// <param name="runs">The runs.</param>
    /// <returns>The statistics.</returns>
    public static RunStatistics Statistics(IEnumerable<Run> runs)
    {
        var finished = runs.Where(r => r.Status != RunStatus.Running).ToList();
        var durations = finished.Where(r => r.DurationMs is not null).Select(r => r.DurationMs!.Value).ToList();
        return new RunStatistics
        {
            Successes = finished.Count(r => r.Status == RunStatus.Succeeded),
            Failures = finished.Count(r => r.Status == RunStatus.Failed),
            LastSuccess = finished.Where(r => r.Status == RunStatus.Succeeded).Max(r => r.FinishedAt),
            LastFailure = finished.Where(r => r.Status == RunStatus.Failed).Max(r => r.FinishedAt),
            // In decimal: the contract allows values up to long.MaxValue, whose long sum would overflow (a 500 for
            // every reader of a summary because one agent reported huge numbers).
            MeanDurationMs = durations.Count == 0 ? null : (long)durations.Average(d => (decimal)d),
        };
    }

    // Reported sizes are the agent's word and may be as large as the contract allows: the total stops at long.MaxValue.
    private static long SaturatingSum(IEnumerable<long> values)
    {
        long total = 0;
        foreach (var value in values)
        {
            total = value > 0 && total > long.MaxValue - value ? long.MaxValue : total + value;
        }

        return total;
    }
}
