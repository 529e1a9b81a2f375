using BenchmarkDotNet.Attributes;
using Databacker.Api.Contracts;

namespace Databacker.Api.Benchmarks.ClientCalls;

/// <summary>
/// Issue 8, item 1: the cost of one <c>GET /engines/config/{instance}</c> through each client, against a Kestrel server
/// on 127.0.0.1, with the raw <see cref="HttpClient"/> as the baseline. Target: the SDK ≤ 1.10× raw, and faster than
/// Refit and Kiota.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(BenchmarkJobs.Standard))]
public class ClientCallBenchmarks
{
    private ClientCallClients _clients = null!;

    /// <summary>The server the clients call (after <see cref="Setup"/>).</summary>
    public ConfigServer Server => _clients.Server;

    /// <summary>Starts the server and warms the clients up.</summary>
    [GlobalSetup]
    public void Setup() => _clients = ClientCallClients.StartAsync().GetAwaiter().GetResult();

    /// <summary>Stops the server.</summary>
    [GlobalCleanup]
    public void Cleanup() => _clients.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Raw HttpClient, fixed bearer header, hand-written deserialization.</summary>
    [Benchmark(Baseline = true, Description = "Raw HttpClient")]
    public Task<ConfigDocument> Raw() => _clients.CallRawAsync();

    /// <summary>The SDK's generated client, full pipeline, cached token.</summary>
    [Benchmark(Description = "Databacker client")]
    public Task<ConfigDocument> Databacker() => _clients.CallDatabackerAsync();

    /// <summary>Refit.</summary>
    [Benchmark(Description = "Refit")]
    public Task<ConfigDocument> Refit() => _clients.CallRefitAsync();

    /// <summary>Kiota.</summary>
    [Benchmark(Description = "Kiota")]
    public Task<Kiota.Models.ConfigDocument> Kiota() => _clients.CallKiotaAsync();
}
