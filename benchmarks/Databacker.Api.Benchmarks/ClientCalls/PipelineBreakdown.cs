using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Databacker.Api.Client;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Versioning;

namespace Databacker.Api.Benchmarks.ClientCalls;

/// <summary>
/// Where the SDK's time goes: the generated <see cref="OrchestrationClient"/> over the pipeline built up one handler at
/// a time (<see cref="DatabackerPipeline.Compose"/>, a fixed bearer header instead of the token handler), against the
/// raw baseline and the full <c>AddDatabackerClient</c> pipeline, taking turns call by call like
/// <see cref="InterleavedClientCalls"/>.
/// </summary>
public static class PipelineBreakdown
{
    /// <summary>Runs <paramref name="rounds"/> rounds of one call per pipeline, after a warm-up.</summary>
    /// <param name="rounds">Measured rounds.</param>
    /// <param name="warmupRounds">Unmeasured rounds per warm-up block (blocks run until the JIT settles).</param>
    /// <returns>A Markdown report.</returns>
    public static async Task<string> RunAsync(int rounds = 8_000, int warmupRounds = 1_000)
    {
        await using var clients = await ClientCallClients.StartAsync().ConfigureAwait(false);
        var baseAddress = clients.Server.BaseAddress;
        var trusted = new TrustedOriginRegistry([baseAddress]);
        var built = new List<HttpClient>();
        OrchestrationClient Over(Func<HttpMessageHandler, HttpMessageHandler> compose)
        {
            var http = new HttpClient(compose(DatabackerPipeline.CreatePrimaryHandler())) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ClientCallClients.FixedToken);
            built.Add(http);
            return new OrchestrationClient(http);
        }

        RoutingHandler Routing() => new(new RoutingOptions(), new RouteTable(), trusted);
        var bare = Over(p => p);
        var media = Over(p => DatabackerPipeline.Compose(p, mediaTypes: new MediaTypeHandler()));
        var routing = Over(p => DatabackerPipeline.Compose(p, routing: Routing(), mediaTypes: new MediaTypeHandler()));
        var resilience = Over(p => DatabackerPipeline.Compose(p, resilience: new ResilienceHandler(), routing: Routing(), mediaTypes: new MediaTypeHandler()));
        var noBreakerNoRetry = Over(p => DatabackerPipeline.Compose(
            p,
            resilience: new ResilienceHandler(new ResilienceOptions { EnableCircuitBreaker = false, MaxRetryAttempts = 0 }),
            routing: Routing(),
            mediaTypes: new MediaTypeHandler()));
        try
        {
            var calls = new (string Name, Func<Task> Call)[]
            {
                ("Raw HttpClient (baseline)", () => clients.CallRawAsync()),
                ("Generated client, no handlers", () => bare.GetConfigAsync(ConfigServer.InstanceId)),
                ("+ MediaTypeHandler", () => media.GetConfigAsync(ConfigServer.InstanceId)),
                ("+ RoutingHandler", () => routing.GetConfigAsync(ConfigServer.InstanceId)),
                ("+ RoutingHandler, caller's token cancellable (no timer)", () => WithCancellableToken(ct => routing.GetConfigAsync(ConfigServer.InstanceId, null, ct))),
                ("+ ResilienceHandler, breaker and retries off", () => noBreakerNoRetry.GetConfigAsync(ConfigServer.InstanceId)),
                ("+ ResilienceHandler (defaults)", () => resilience.GetConfigAsync(ConfigServer.InstanceId)),
                ("Full AddDatabackerClient pipeline", () => clients.CallDatabackerAsync()),
            };
            var turns = await TakingTurns.MeasureAsync(calls.Select(c => c.Call).ToArray(), rounds, warmupRounds).ConfigureAwait(false);
            var samples = turns.Samples;
            var medians = samples.Select(TakingTurns.Median).ToArray();
            var c = CultureInfo.InvariantCulture;
            var report = new StringBuilder();
            report.AppendLine(c, $"Pipeline breakdown: {rounds} rounds (after {turns.WarmupRounds} warm-up rounds), one GET /engines/config/{{instance}} per pipeline per round");
            report.AppendLine(turns.Describe());
            report.AppendLine();
            report.AppendLine("| Pipeline | Median (µs) | Ratio to raw (median) |");
            report.AppendLine("|---|---:|---:|");
            for (var i = 0; i < calls.Length; i++)
            {
                report.AppendLine(c, $"| {calls[i].Name} | {medians[i]:0.0} | {medians[i] / medians[0]:0.00} |");
            }

            return report.ToString();
        }
        finally
        {
            built.ForEach(h => h.Dispose());
        }
    }

    private static async Task WithCancellableToken(Func<CancellationToken, Task> call)
    {
        using var source = new CancellationTokenSource();
        await call(source.Token).ConfigureAwait(false);
    }
}
