using Databacker.Api.Contracts;
using Databacker.Api.Server.Reporting;
using Newtonsoft.Json;

namespace Databacker.Api.LogUpload;

/// <summary>
/// The receiving side: Kestrel on 127.0.0.1 with the log endpoint's route, reading every body with
/// <see cref="NdjsonLogReader"/> (each line parsed and validated) into a store that only counts, so the numbers
/// are the transport's and the reader's, not a database's. <c>GET /stats</c> reports lines and the peak working set.
/// </summary>
internal static class BenchServer
{
    public static async Task<int> RunAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null; // curl sends the whole file as one body
        });
        var app = builder.Build();
        var reader = new NdjsonLogReader(new NdjsonLogReaderOptions { MaxBodyBytes = long.MaxValue, MaxLines = int.MaxValue });
        using var memory = new PeakWorkingSet(TimeSpan.FromMilliseconds(20));
        long lines = 0, requests = 0, refused = 0, allocatedAtReset = GC.GetTotalAllocatedBytes(precise: true);
        var cpuAtReset = Environment.CpuUsage.TotalTime;

        app.MapPost("/engines/telemetry/{instance}/log", async (HttpContext context) =>
        {
            long accepted = 0;
            var error = await reader.ReadBatchesAsync(
                context.Request.Body,
                (batch, _) =>
                {
                    accepted += batch.Count;
                    return ValueTask.CompletedTask;
                },
                cancellationToken: context.RequestAborted);
            Interlocked.Increment(ref requests);
            if (error is not null)
            {
                Interlocked.Increment(ref refused);
                context.Response.StatusCode = error.TooLarge ? 413 : 400;
                await context.Response.WriteAsync($"line {error.Line}: {error.Reason}");
                return;
            }

            Interlocked.Add(ref lines, accepted);
            context.Response.StatusCode = 201;
            context.Response.ContentType = "application/vnd.databack.log-receipt.v1+json";
            await context.Response.WriteAsync(JsonConvert.SerializeObject(new LogReceipt { Accepted = (int)accepted, Duplicates = 0 }));
        });
        app.MapGet("/stats", () => Results.Text(JsonConvert.SerializeObject(new ServerStats(
            Interlocked.Read(ref lines), Interlocked.Read(ref requests), Interlocked.Read(ref refused), memory.Peak, memory.Sample(),
            GC.GetTotalAllocatedBytes(precise: true) - Interlocked.Read(ref allocatedAtReset),
            (Environment.CpuUsage.TotalTime - cpuAtReset).TotalSeconds))));
        app.MapPost("/stats/reset", () =>
        {
            Interlocked.Exchange(ref lines, 0);
            Interlocked.Exchange(ref requests, 0);
            Interlocked.Exchange(ref refused, 0);
            GC.Collect();
            memory.Reset();
            Interlocked.Exchange(ref allocatedAtReset, GC.GetTotalAllocatedBytes(precise: true));
            cpuAtReset = Environment.CpuUsage.TotalTime;
            return Results.NoContent();
        });

        await app.StartAsync();
        Console.WriteLine("listening " + app.Urls.First());
        Console.Out.Flush();
        await app.WaitForShutdownAsync();
        return 0;
    }
}

/// <summary>What the server saw since the last reset.</summary>
internal sealed record ServerStats(long Lines, long Requests, long Refused, long PeakWorkingSet, long WorkingSet, long AllocatedBytes, double CpuSeconds);
