using System.Diagnostics;
using System.Runtime;
using Databacker.Api.Client;
using Databacker.Api.Client.Reporting;
using Newtonsoft.Json;

namespace Databacker.Api.LogUpload;

/// <summary>
/// The agent side, in its own process: the benchmark's lines through a <see cref="LogUploader"/> (redaction, NDJSON,
/// chunks streamed with chunked transfer) and the generated <see cref="ReportingClient"/>'s <c>PostLogsAsync</c>
/// over a plain <see cref="HttpClient"/>. Reports the time and the working set's peak over its level before the run.
/// </summary>
internal static class UploadClient
{
    // Warm-up: enough requests, not only lines, for the per-request path (HttpClient, the generated client, the
    // uploader's per-chunk code) to reach tier 1 before the timed run. Tiered compilation promotes a method after 30
    // calls, in the background, in two steps with dynamic PGO; one pass of 100,000 lines is only ~23 requests, which
    // left ~2,000 methods (≈ 1.3 CPU s) to be compiled during the timed run. So passes repeat until one (with its
    // pause) compiles fewer than WarmUpSettledMethods methods: under load the background compiler falls behind.
    private const long WarmUpLines = 100_000;
    private const int MinWarmUpPasses = 4;
    private const int MaxWarmUpPasses = 16;
    private const long WarmUpSettledMethods = 40;

    public static async Task<int> RunAsync(Uri server, long lines, int chunkBytes)
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        var reporting = new ReportingClient(http);

        // A realistic redactor: a handful of configured secrets, checked in every line.
        var redactor = new SecretRedactor(["db-Pa55word-9f2c", "s3-AKIAEXAMPLEKEY", "s3-wJalrXUtnFEMI/K7MDENG", "enc-4b1d9c0e7a", "telemetry-t0ken-77"]);
        var uploader = new LogUploader((body, ct) => reporting.PostLogsAsync(body, "bench", ct), redactor, new LogUploaderOptions { MaxChunkBytes = chunkBytes });

        // Warm up (JIT, connection, and the working-set sampler's own code), then measure from a collected heap. The
        // passes use chunks of at most 1 MiB: tiering counts calls, and a pass at 4 MiB chunks is only ~6 requests,
        // which left ~350 methods (0.4 s) to compile in the timed run. A last pass takes the measured chunk size.
        using var memory = new PeakWorkingSet(TimeSpan.FromMilliseconds(20));
        var warmUp = new LogUploader((body, ct) => reporting.PostLogsAsync(body, "bench", ct), redactor, new LogUploaderOptions { MaxChunkBytes = Math.Min(chunkBytes, 1024 * 1024) });
        var passes = 0;
        while (passes < MaxWarmUpPasses)
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            await warmUp.UploadAsync(LogLines.Entries(WarmUpLines));
            await Task.Delay(TimeSpan.FromMilliseconds(500)); // lets tiered compilation finish in the background
            passes++;
            if (passes >= MinWarmUpPasses && JitInfo.GetCompiledMethodCount() - compiled < WarmUpSettledMethods)
            {
                break;
            }
        }

        await uploader.UploadAsync(LogLines.Entries(WarmUpLines));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        passes++;

        (await http.PostAsync("stats/reset", null)).EnsureSuccessStatusCode(); // the server counts the timed run only
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = PeakWorkingSet.Current();
        memory.Reset();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen2Before = GC.CollectionCount(2);

        var jitMethodsBefore = JitInfo.GetCompiledMethodCount();
        var jitTimeBefore = JitInfo.GetCompilationTime();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var summary = await uploader.UploadAsync(LogLines.Entries(lines));
        clock.Stop();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        memory.Sample();

        Console.WriteLine(JsonConvert.SerializeObject(new ClientResult(
            clock.Elapsed.TotalSeconds, summary.Lines, summary.Requests, summary.Bytes, WarmUpLines * passes, baseline, memory.Peak,
            GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, GC.CollectionCount(2) - gen2Before, cpu,
            JitInfo.GetCompiledMethodCount() - jitMethodsBefore, (JitInfo.GetCompilationTime() - jitTimeBefore).TotalSeconds)));
        return 0;
    }
}

/// <summary>What one timed upload did.</summary>
internal sealed record ClientResult(
    double Seconds, long Lines, int Requests, long Bytes, long WarmUpLines, long BaselineWorkingSet, long PeakWorkingSet, long AllocatedBytes, int Gen2Collections, double CpuSeconds,
    long JitMethods, double JitSeconds);
