using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Client;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Versioning;
using Microsoft.Extensions.DependencyInjection;

namespace Databacker.Api.Benchmarks.ClientCalls;

/// <summary>
/// What each handler of the SDK's pipeline costs in CPU and allocations, with no network: the generated
/// <see cref="OrchestrationClient"/> over the pipeline built up one handler at a time, over an in-memory primary
/// handler whose canned responses complete after the call suspended (as over a network, so every async handler's state
/// machine is boxed and resumed) on the benchmark's own thread (no thread-pool hop, so the measure is exact), in blocks of calls taking turns. Load on the machine stretches
/// every block alike; allocations are exact.
/// </summary>
public static class HandlerCosts
{
    private static readonly byte[] ConfigBytes = Encoding.UTF8.GetBytes(ConfigServer.ConfigJson);

    /// <summary>Runs <paramref name="rounds"/> rounds of a block of <paramref name="callsPerBlock"/> calls per pipeline, after one warm-up round.</summary>
    /// <param name="rounds">Measured rounds.</param>
    /// <param name="callsPerBlock">Calls per pipeline per round.</param>
    /// <returns>A Markdown report.</returns>
    public static async Task<string> RunAsync(int rounds = 15, int callsPerBlock = 4_000)
    {
        var baseAddress = new Uri("http://127.0.0.1:5999/");
        var trusted = new TrustedOriginRegistry([baseAddress]);
        var built = new List<HttpClient>();
        OrchestrationClient Over(Func<HttpMessageHandler, HttpMessageHandler> compose)
        {
            var http = new HttpClient(compose(new CannedHandler())) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ClientCallClients.FixedToken);
            built.Add(http);
            return new OrchestrationClient(http);
        }

        RoutingHandler Routing() => new(new RoutingOptions(), new RouteTable(), trusted);
        var raw = new HttpClient(new CannedHandler()) { BaseAddress = baseAddress };
        raw.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ClientCallClients.FixedToken);
        built.Add(raw);
        var accept = new MediaTypeWithQualityHeaderValue(ConfigServer.ConfigMediaType);
        var bare = Over(p => p);
        var media = Over(p => DatabackerPipeline.Compose(p, mediaTypes: new MediaTypeHandler()));
        var routing = Over(p => DatabackerPipeline.Compose(p, routing: Routing(), mediaTypes: new MediaTypeHandler()));
        var noBreakerNoRetry = Over(p => DatabackerPipeline.Compose(
            p,
            resilience: new ResilienceHandler(new ResilienceOptions { EnableCircuitBreaker = false, MaxRetryAttempts = 0 }),
            routing: Routing(),
            mediaTypes: new MediaTypeHandler()));
        var resilience = Over(p => DatabackerPipeline.Compose(p, resilience: new ResilienceHandler(), routing: Routing(), mediaTypes: new MediaTypeHandler()));
        var idempotency = Over(p => DatabackerPipeline.Compose(
            p, idempotency: new IdempotencyHandler(), resilience: new ResilienceHandler(), routing: Routing(), mediaTypes: new MediaTypeHandler()));
        var overrides = Over(p => DatabackerPipeline.Compose(
            p,
            idempotency: new IdempotencyHandler(),
            resilience: new ResilienceHandler(),
            routing: Routing(),
            mediaTypes: new MediaTypeHandler(),
            overrides: new RequestOverridesHandler(new ResilienceOptions(), new RoutingOptions(), new IdempotencyOptions(), new MediaTypeOptions())));

        using var key = EcdsaKey.Generate();
        ServiceProvider ClientProvider(bool withFactoryLogging)
        {
            var services = new ServiceCollection();
            services.AddDatabackerClient(o =>
            {
                o.Controller = baseAddress;
                o.InstanceId = ConfigServer.InstanceId;
                o.Key = key;
                o.PrimaryHandler = () => new CannedHandler();
            });
            if (!withFactoryLogging)
            {
                services.AddHttpClient(DatabackerClientNames.Orchestration).RemoveAllLoggers();
            }

            return services.BuildServiceProvider();
        }

        await using var provider = ClientProvider(withFactoryLogging: true);
        var full = provider.GetRequiredService<IOrchestrationClient>();
        await using var quietProvider = ClientProvider(withFactoryLogging: false);
        var fullQuiet = quietProvider.GetRequiredService<IOrchestrationClient>();
        try
        {
            var calls = new (string Name, Func<Task> Call)[]
            {
                ("Raw HttpClient (baseline)", async () =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, "engines/config/" + ConfigServer.InstanceId);
                    request.Headers.Accept.Add(accept);
                    using var response = await raw.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                    response.EnsureSuccessStatusCode();
                    var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    await using (stream.ConfigureAwait(false))
                    {
                        using var reader = new Newtonsoft.Json.JsonTextReader(new StreamReader(stream));
                        _ = Newtonsoft.Json.JsonSerializer.CreateDefault().Deserialize<Contracts.ConfigDocument>(reader);
                    }
                }),
                ("Generated client, no handlers", () => bare.GetConfigAsync(ConfigServer.InstanceId)),
                ("+ MediaTypeHandler", () => media.GetConfigAsync(ConfigServer.InstanceId)),
                ("+ RoutingHandler", () => routing.GetConfigAsync(ConfigServer.InstanceId)),
                ("+ ResilienceHandler, breaker and retries off", () => noBreakerNoRetry.GetConfigAsync(ConfigServer.InstanceId)),
                ("+ ResilienceHandler (defaults)", () => resilience.GetConfigAsync(ConfigServer.InstanceId)),
                ("+ IdempotencyHandler", () => idempotency.GetConfigAsync(ConfigServer.InstanceId)),
                ("+ RequestOverridesHandler", () => overrides.GetConfigAsync(ConfigServer.InstanceId)),
                ("Full AddDatabackerClient pipeline", () => full.GetConfigAsync(ConfigServer.InstanceId)),
                ("Full pipeline without IHttpClientFactory's logging handlers", () => fullQuiet.GetConfigAsync(ConfigServer.InstanceId)),
            };

            var nanos = calls.Select(_ => new List<double>()).ToArray();
            var bytes = new long[calls.Length];
            for (var r = -1; r < rounds; r++)
            {
                for (var i = 0; i < calls.Length; i++)
                {
                    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                    var start = Stopwatch.GetTimestamp();
                    for (var n = 0; n < callsPerBlock; n++)
                    {
                        var call = calls[i].Call();
                        while (!call.IsCompleted)
                        {
                            if (!CannedHandler.CompleteOne())
                            {
                                await Task.Yield();
                            }
                        }

                        await call.ConfigureAwait(false);
                    }

                    var elapsed = Stopwatch.GetElapsedTime(start);
                    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                    if (r >= 0)
                    {
                        nanos[i].Add(elapsed.TotalNanoseconds / callsPerBlock);
                        bytes[i] = allocated / callsPerBlock;
                    }
                }
            }

            var medians = nanos.Select(TakingTurns.Median).ToArray();
            var c = CultureInfo.InvariantCulture;
            var report = new StringBuilder();
            report.AppendLine(c, $"Handler costs, in memory (canned responses completed on the caller's thread after every handler suspended, no network): {rounds} rounds of {callsPerBlock} calls per pipeline");
            report.AppendLine();
            report.AppendLine("| Pipeline | ns/call (median of rounds) | Δ ns vs previous row | Allocated B/call | Δ B |");
            report.AppendLine("|---|---:|---:|---:|---:|");
            for (var i = 0; i < calls.Length; i++)
            {
                var delta = i <= 1 ? "" : (medians[i] - medians[i - 1]).ToString("0", c);
                var deltaBytes = i <= 1 ? "" : (bytes[i] - bytes[i - 1]).ToString(c);
                report.AppendLine(c, $"| {calls[i].Name} | {medians[i]:0} | {delta} | {bytes[i]} | {deltaBytes} |");
            }

            return report.ToString();
        }
        finally
        {
            built.ForEach(h => h.Dispose());
        }
    }

    /// <summary>Answers the controller's metadata, token and configuration requests with canned bytes, synchronously.</summary>
    private sealed class CannedHandler : HttpMessageHandler
    {
        private static readonly byte[] TokenBytes = Encoding.UTF8.GetBytes("""{"access_token":"bench-token","token_type":"Bearer","expires_in":3600}""");

        private static readonly Queue<(TaskCompletionSource<HttpResponseMessage> Pending, HttpResponseMessage Response)> Pending = new();

        /// <summary>Answers the oldest request still waiting, on the calling thread; false if none waits.</summary>
        public static bool CompleteOne()
        {
            (TaskCompletionSource<HttpResponseMessage> Pending, HttpResponseMessage Response) next;
            lock (Pending)
            {
                if (!Pending.TryDequeue(out next))
                {
                    return false;
                }
            }

            next.Pending.SetResult(next.Response);
            return true;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = Answer(request);

            // As the transport does, the response arrives later, so every async handler above suspends and resumes; but
            // on the benchmark's own thread (CompleteOne), not through the thread pool, so the measure stays exact.
            var pending = new TaskCompletionSource<HttpResponseMessage>();
            lock (Pending)
            {
                Pending.Enqueue((pending, response));
            }

            return pending.Task;
        }

        private static HttpResponseMessage Answer(HttpRequestMessage request)
        {
            var path = request.RequestUri!.AbsolutePath;
            HttpResponseMessage response;
            if (path.StartsWith("/engines/config/", StringComparison.Ordinal))
            {
                response = Answer(ConfigBytes, ConfigServer.ConfigMediaType);
                response.Headers.ETag = new EntityTagHeaderValue("\"bench-1\"");
            }
            else if (path == "/token")
            {
                response = Answer(TokenBytes, "application/json");
            }
            else if (path == "/.well-known/oauth-authorization-server")
            {
                var issuer = request.RequestUri.GetLeftPart(UriPartial.Authority);
                response = Answer(Encoding.UTF8.GetBytes($$"""{"issuer":"{{issuer}}","token_endpoint":"{{issuer}}/token"}"""), "application/json");
            }
            else
            {
                response = new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new ByteArrayContent([]) };
            }

            response.RequestMessage = request;
            return response;
        }

        private static HttpResponseMessage Answer(byte[] body, string mediaType)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        }
    }
}
