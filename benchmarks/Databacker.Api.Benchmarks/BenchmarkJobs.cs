using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Databacker.Api.Benchmarks;

/// <summary>The job every benchmark here runs with.</summary>
public static class BenchmarkJobs
{
    /// <summary>
    /// Short enough that the whole suite takes minutes on a shared 2-core machine: one process, 3 warm-up and 15
    /// measured iterations of about a quarter of a second. Ratios measured in the same run are what count.
    /// </summary>
    public sealed class Standard : ManualConfig
    {
        /// <summary>Creates the config.</summary>
        public Standard()
        {
            AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(15)
                .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
                .WithId("Short"));
        }
    }
}
