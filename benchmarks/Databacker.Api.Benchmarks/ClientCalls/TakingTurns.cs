using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace Databacker.Api.Benchmarks.ClientCalls;

/// <summary>
/// The measuring loop of <see cref="InterleavedClientCalls"/> and <see cref="PipelineBreakdown"/>: every call takes its
/// turn once per round, the first turn rotating so that no call always follows the same one; load from other processes
/// on a shared machine therefore falls on every call alike. Also the order statistics the client-call reports use.
/// </summary>
internal static class TakingTurns
{
    // Warm-up ends once tiered compilation has settled: a block of warm-up rounds (then a pause, in which the
    // background compiler catches up) compiles fewer than SettledMethods methods. A fixed count alone was not enough:
    // after 2,000 rounds ~800-1,100 methods (over a second of JIT on the 2 cores) were still compiled in the measured
    // rounds, slowing the clients still running tier-0 code, the one with the most code most.
    private const int SettledMethods = 40;
    private const int MaxWarmupBlocks = 12;
    private static readonly TimeSpan CompilerCatchUp = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Runs blocks of <paramref name="warmupRounds"/> unmeasured rounds until the JIT has settled (at least two, at most
    /// twelve), then <paramref name="rounds"/> measured ones.
    /// </summary>
    /// <param name="calls">The calls, one turn each per round.</param>
    /// <param name="rounds">Measured rounds.</param>
    /// <param name="warmupRounds">Unmeasured rounds per warm-up block.</param>
    /// <returns>Per call, its latency in µs in every measured round; and what was compiled while measuring.</returns>
    public static async Task<Turns> MeasureAsync(IReadOnlyList<Func<Task>> calls, int rounds, int warmupRounds)
    {
        var blocks = 0;
        while (blocks < MaxWarmupBlocks)
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            await RunRoundsAsync(calls, warmupRounds, null).ConfigureAwait(false);
            await Task.Delay(CompilerCatchUp).ConfigureAwait(false);
            blocks++;
            if (blocks >= 2 && JitInfo.GetCompiledMethodCount() - compiled < SettledMethods)
            {
                break;
            }
        }

        var samples = calls.Select(_ => new double[rounds]).ToArray();
        var jitMethods = JitInfo.GetCompiledMethodCount();
        var jitTime = JitInfo.GetCompilationTime();
        await RunRoundsAsync(calls, rounds, samples).ConfigureAwait(false);
        return new Turns(samples, blocks * warmupRounds, JitInfo.GetCompiledMethodCount() - jitMethods, JitInfo.GetCompilationTime() - jitTime);
    }

    private static async Task RunRoundsAsync(IReadOnlyList<Func<Task>> calls, int rounds, double[][]? samples)
    {
        for (var r = 0; r < rounds; r++)
        {
            for (var k = 0; k < calls.Count; k++)
            {
                var i = (k + r) % calls.Count;
                var start = Stopwatch.GetTimestamp();
                await calls[i]().ConfigureAwait(false);
                if (samples is not null)
                {
                    samples[i][r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }
        }
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

/// <summary>The latencies of <see cref="TakingTurns.MeasureAsync"/> and how the measured rounds went.</summary>
/// <param name="Samples">Per call, its latency in µs in every measured round.</param>
/// <param name="WarmupRounds">The warm-up rounds run until the JIT settled.</param>
/// <param name="JitMethods">Methods compiled during the measured rounds.</param>
/// <param name="JitTime">Time the JIT spent during the measured rounds.</param>
internal sealed record Turns(double[][] Samples, int WarmupRounds, long JitMethods, TimeSpan JitTime)
{
    /// <summary>One report line on the warm-up and the JIT left in the measured rounds.</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"Warm-up: {WarmupRounds} rounds, until tiered compilation settled; left in the measured rounds: {JitMethods} methods compiled, {JitTime.TotalMilliseconds:0} ms of JIT.");
}
