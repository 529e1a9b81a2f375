using Databacker.Api.Benchmarks.ClientCalls;
using Microsoft.Kiota.Abstractions.Serialization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Databacker.Api.Benchmarks.Tests;

/// <summary>
/// Smoke mode of the client-call benchmarks: the benchmark's own setup and methods, a handful of calls each, checking
/// that every client reads the same document. Never timed.
/// </summary>
[TestFixture]
public sealed class ClientCallSmokeTests
{
    private const int Calls = 5;

    private ClientCallBenchmarks _benchmarks = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _benchmarks = new ClientCallBenchmarks();
        _benchmarks.Setup();
    }

    [OneTimeTearDown]
    public void TearDown() => _benchmarks.Cleanup();

    private static JToken Served => Normalize(JToken.Parse(ConfigServer.ConfigJson));

    [Test]
    public async Task The_raw_baseline_reads_the_served_document()
    {
        for (var i = 0; i < Calls; i++)
        {
            var document = await _benchmarks.Raw();
            Assert.That(JToken.DeepEquals(Normalize(JToken.FromObject(document)), Served), Is.True, JsonConvert.SerializeObject(document));
        }
    }

    [Test]
    public async Task The_databacker_client_reads_the_same_document_as_the_baseline()
    {
        var expected = Normalize(JToken.FromObject(await _benchmarks.Raw()));
        for (var i = 0; i < Calls; i++)
        {
            var document = await _benchmarks.Databacker();
            Assert.That(JToken.DeepEquals(Normalize(JToken.FromObject(document)), expected), Is.True, JsonConvert.SerializeObject(document));
        }
    }

    [Test]
    public async Task The_Refit_client_reads_the_same_document_as_the_baseline()
    {
        var expected = Normalize(JToken.FromObject(await _benchmarks.Raw()));
        for (var i = 0; i < Calls; i++)
        {
            var document = await _benchmarks.Refit();
            Assert.That(JToken.DeepEquals(Normalize(JToken.FromObject(document)), expected), Is.True, JsonConvert.SerializeObject(document));
        }
    }

    [Test]
    public async Task The_Kiota_client_reads_the_served_document()
    {
        for (var i = 0; i < Calls; i++)
        {
            var document = await _benchmarks.Kiota();
            var json = await KiotaJsonSerializer.SerializeAsStringAsync(document);
            Assert.That(JToken.DeepEquals(Normalize(JToken.Parse(json)), Served), Is.True, json);
        }
    }

    [Test]
    public async Task The_databacker_client_sends_its_cached_token_and_fetches_no_other()
    {
        var before = await _benchmarks.Databacker();
        var tokens = _benchmarks.Server.TokenRequests;
        for (var i = 0; i < Calls; i++)
        {
            await _benchmarks.Databacker();
        }

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.Not.Null);
            Assert.That(tokens, Is.EqualTo(1), "one token for the warm-up call");
            Assert.That(_benchmarks.Server.TokenRequests, Is.EqualTo(tokens));
        });
    }

    [Test]
    public async Task The_interleaved_comparison_reports_every_client_against_the_baseline()
    {
        var report = await InterleavedClientCalls.RunAsync(rounds: 20, warmupRounds: 2);

        Assert.That(report, Does.Contain("| Raw HttpClient (baseline) |").And.Contain("| Databacker client |").And.Contain("| Refit |").And.Contain("| Kiota |"));
    }

    [Test]
    public async Task The_pipeline_breakdown_reports_every_stage_against_the_baseline()
    {
        var report = await PipelineBreakdown.RunAsync(rounds: 10, warmupRounds: 1);

        Assert.That(report, Does.Contain("| Raw HttpClient (baseline) |").And.Contain("| + ResilienceHandler (defaults) |").And.Contain("| Full AddDatabackerClient pipeline |"));
    }

    [Test]
    public async Task The_handler_costs_report_every_stage_in_memory()
    {
        var report = await HandlerCosts.RunAsync(rounds: 2, callsPerBlock: 3);

        Assert.That(report, Does.Contain("| Raw HttpClient (baseline) |").And.Contain("| + ResilienceHandler (defaults) |").And.Contain("| Full AddDatabackerClient pipeline |"));
    }

    /// <summary>Drops null members, which some serializers write and others leave out.</summary>
    private static JToken Normalize(JToken token)
    {
        if (token is JObject o)
        {
            var copy = new JObject();
            foreach (var p in o.Properties().Where(p => p.Value.Type != JTokenType.Null))
            {
                copy[p.Name] = Normalize(p.Value);
            }

            return copy;
        }

        return token is JArray a ? new JArray(a.Select(Normalize)) : token.DeepClone();
    }
}
