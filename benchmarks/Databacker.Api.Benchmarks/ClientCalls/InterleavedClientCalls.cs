using System.Globalization;
using System.Text;

namespace Databacker.Api.Benchmarks.ClientCalls;

/// <summary>
/// The client-call comparison with the clients taking turns call by call, so that load from other processes on a
/// shared machine falls on every client alike; BenchmarkDotNet measures them one after another. Reports each client's
/// median latency and its ratio to the raw baseline's. Allocations come from the BenchmarkDotNet run.
/// </summary>
public static class InterleavedClientCalls
{
    /// <summary>Runs <paramref name="rounds"/> rounds of one call per client, after a warm-up.</summary>
    /// <param name="rounds">Measured rounds.</param>
    /// <param name="warmupRounds">Unmeasured rounds per warm-up block (blocks run until the JIT settles).</param>
    /// <returns>A Markdown report.</returns>
    public static async Task<string> RunAsync(int rounds = 20_000, int warmupRounds = 2_000)
    {
        await using var clients = await ClientCallClients.StartAsync().ConfigureAwait(false);
        var calls = new (string Name, Func<Task> Call)[]
        {
            ("Raw HttpClient (baseline)", () => clients.CallRawAsync()),
            ("Databacker client", () => clients.CallDatabackerAsync()),
            ("Refit", () => clients.CallRefitAsync()),
            ("Kiota", () => clients.CallKiotaAsync()),
        };
        var turns = await TakingTurns.MeasureAsync(calls.Select(c => c.Call).ToArray(), rounds, warmupRounds).ConfigureAwait(false);
        var samples = turns.Samples;
        var medians = samples.Select(s => TakingTurns.Percentile(s, 0.5)).ToArray();
        var c = CultureInfo.InvariantCulture;
        var report = new StringBuilder();
        report.AppendLine(c, $"Interleaved client calls: {rounds} rounds (after {turns.WarmupRounds} warm-up rounds), one GET /engines/config/{{instance}} per client per round");
        report.AppendLine(turns.Describe());
        report.AppendLine();
        report.AppendLine("| Client | Median (µs) | p90 (µs) | Ratio to raw (median) |");
        report.AppendLine("|---|---:|---:|---:|");
        for (var i = 0; i < calls.Length; i++)
        {
            report.AppendLine(c, $"| {calls[i].Name} | {medians[i]:0.0} | {TakingTurns.Percentile(samples[i], 0.9):0.0} | {medians[i] / medians[0]:0.00} |");
        }

        return report.ToString();
    }
}
