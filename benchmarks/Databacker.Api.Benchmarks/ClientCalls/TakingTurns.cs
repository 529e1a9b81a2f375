using System.Diagnostics;

namespace Databacker.Api.Benchmarks.ClientCalls;

/// <summary>
/// The measuring loop of <see cref="InterleavedClientCalls"/> and <see cref="PipelineBreakdown"/>: every call takes its
/// turn once per round, the first turn rotating so that no call always follows the same one; load from other processes
/// on a shared machine therefore falls on every call alike. Also the order statistics the client-call reports use.
/// </summary>
internal static class TakingTurns
{
    /// <summary>Runs <paramref name="warmupRounds"/> unmeasured rounds, then <paramref name="rounds"/> measured ones.</summary>
    /// <param name="calls">The calls, one turn each per round.</param>
    /// <param name="rounds">Measured rounds.</param>
    /// <param name="warmupRounds">Unmeasured rounds first.</param>
    /// <returns>Per call, its latency in µs in every measured round.</returns>
    public static async Task<double[][]> MeasureAsync(IReadOnlyList<Func<Task>> calls, int rounds, int warmupRounds)
    {
        var samples = calls.Select(_ => new double[rounds]).ToArray();
        for (var r = -warmupRounds; r < rounds; r++)
        {
            for (var k = 0; k < calls.Count; k++)
            {
                var i = (((k + r) % calls.Count) + calls.Count) % calls.Count;
                var start = Stopwatch.GetTimestamp();
                await calls[i]().ConfigureAwait(false);
                if (r >= 0)
                {
                    samples[i][r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }
        }

        return samples;
    }

    /// <summary>The middle value (the upper one of the two middles of an even count).</summary>
    /// <param name="values">The values; not changed.</param>
    /// <returns>The median.</returns>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = Sorted(values);
        return sorted[sorted.Length / 2];
    }

    /// <summary>The value at fraction <paramref name="p"/> of the sorted values (nearest rank).</summary>
    /// <param name="values">The values; not changed.</param>
    /// <param name="p">0 to 1.</param>
    /// <returns>The percentile.</returns>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = Sorted(values);
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
    }

    private static double[] Sorted(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted;
    }
}
