using Databacker.Api.Benchmarks.EventIngestion;

namespace Databacker.Api.Benchmarks.Tests;

/// <summary>Smoke mode of the event-ingestion benchmarks: a few invocations each, checking what was stored. Never timed.</summary>
[TestFixture]
public sealed class EventIngestionSmokeTests
{
    private EventIngestionBenchmarks _benchmarks = null!;

    [SetUp]
    public void SetUp()
    {
        _benchmarks = new EventIngestionBenchmarks();
        _benchmarks.Setup();
    }

    [TearDown]
    public void TearDown() => _benchmarks.Cleanup();

    [Test]
    public async Task Every_fresh_batch_is_accepted_whole()
    {
        for (var i = 0; i < 3; i++)
        {
            var receipt = await _benchmarks.FreshIds();
            Assert.That((receipt.Accepted, receipt.Duplicates), Is.EqualTo((EventIngestionBenchmarks.BatchSize, 0)));
        }
    }

    [Test]
    public async Task A_resent_batch_is_all_duplicates()
    {
        for (var i = 0; i < 3; i++)
        {
            var receipt = await _benchmarks.DuplicateIds();
            Assert.That((receipt.Accepted, receipt.Duplicates), Is.EqualTo((0, EventIngestionBenchmarks.BatchSize)));
        }
    }

    [Test]
    public async Task The_raw_baseline_inserts_every_row()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.That(await _benchmarks.RawInsert(), Is.EqualTo(EventIngestionBenchmarks.BatchSize));
        }
    }
}
