using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Contracts;
using Newtonsoft.Json;

namespace Databacker.Api.LogUpload;

/// <summary>How the driver runs.</summary>
internal sealed record DriverOptions(long Bytes, int Rounds, string WorkDirectory, string Curl, int ChunkBytes, string Output);

/// <summary>
/// Builds the NDJSON file (with the uploader itself, so the bytes are identical), starts the server, then per
/// round sends the file with <c>curl -X POST -T</c> and the same lines with the uploader, checking that the server
/// accepted every line each time. Reports throughput ratios and memory; fails when a line is missing or the
/// agent's working set grows by 64 MiB or more.
/// </summary>
internal static class Driver
{
    private const long MaxAgentGrowth = 64L * 1024 * 1024;

    public static async Task<int> RunAsync(DriverOptions options)
    {
        Directory.CreateDirectory(options.WorkDirectory);
        var (file, lines) = await CreateFileAsync(options.WorkDirectory, options.Bytes);
        var size = new FileInfo(file).Length;
        Console.WriteLine($"file: {file}, {size:N0} bytes, {lines:N0} lines; chunk {options.ChunkBytes:N0} bytes; {options.Rounds} round(s); {Environment.ProcessorCount} cores");

        using var server = StartSelf("server");
        var first = await server.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the server did not start");
        var url = new Uri(first["listening ".Length..].TrimEnd('/') + "/");
        using var http = new HttpClient { BaseAddress = url };
        var failures = new List<string>();
        var rounds = new List<Round>();
        try
        {
            // Round 0 warms the server (JIT, tiered compilation) and is not counted.
            await RunCurlAsync(options.Curl, file, new Uri(url, "engines/telemetry/bench/log"));
            await RunClientAsync(url, Math.Min(lines, 200_000), options.ChunkBytes);

            for (var round = 1; round <= options.Rounds; round++)
            {
                // curl: the whole file as one request body, streamed from disk with its length (-T; curl 7.88
                // refuses --data-binary @file of 1 GiB: it reads the file into memory and runs out).
                await http.PostAsync("stats/reset", null);
                var curl = await RunCurlAsync(options.Curl, file, new Uri(url, "engines/telemetry/bench/log"));
                var afterCurl = await StatsAsync(http);
                Check(failures, $"round {round} curl", afterCurl, lines, 0);

                // The uploader, in its own process.
                await http.PostAsync("stats/reset", null);
                var client = await RunClientAsync(url, lines, options.ChunkBytes);
                var afterClient = await StatsAsync(http);
                Check(failures, $"round {round} uploader", afterClient, lines, 0); // the client resets the server after its warm-up
                if (client.Bytes != size)
                {
                    failures.Add($"round {round} uploader: sent {client.Bytes} bytes, the file has {size}");
                }

                var growth = client.PeakWorkingSet - client.BaselineWorkingSet;
                if (growth >= MaxAgentGrowth)
                {
                    failures.Add($"round {round} uploader: the working set grew by {Mib(growth)} MiB (limit {Mib(MaxAgentGrowth)})");
                }

                var result = new Round(round, curl.Seconds, curl.PeakWorkingSet, afterCurl.PeakWorkingSet, client, afterClient.PeakWorkingSet, afterCurl.AllocatedBytes / (double)size,
                    curl.CpuSeconds, afterCurl.CpuSeconds, afterClient.CpuSeconds);
                rounds.Add(result);
                Console.WriteLine(
                    $"round {round}: curl {Rate(size, curl.Seconds)} MiB/s, uploader {Rate(size, client.Seconds)} MiB/s " +
                    $"(ratio {curl.Seconds / client.Seconds:F2}), {client.Requests} requests, agent +{Mib(growth)} MiB " +
                    $"(peak {Mib(client.PeakWorkingSet)} MiB), server peak {Mib(afterCurl.PeakWorkingSet)} / {Mib(afterClient.PeakWorkingSet)} MiB, " +
                    $"agent allocated {client.AllocatedBytes / (double)size:F2} B per byte sent, agent CPU {PerGib(client.CpuSeconds, size)} s/GiB " +
                    $"(JIT {client.JitMethods} methods, {client.JitSeconds:F2} s), server CPU {PerGib(afterCurl.CpuSeconds, size)} / {PerGib(afterClient.CpuSeconds, size)} s/GiB");
            }
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }

        var median = rounds.OrderBy(r => r.Curl / r.Client.Seconds).ElementAt(rounds.Count / 2);
        var ratio = median.Curl / median.Client.Seconds;
        var summary = new StringBuilder()
            .AppendLine()
            .AppendLine("| measure | value |")
            .AppendLine("|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| payload | {size:N0} bytes, {lines:N0} lines |")
            .AppendLine(CultureInfo.InvariantCulture, $"| curl -X POST -T file (median round) | {Rate(size, median.Curl)} MiB/s ({median.Curl:F2} s) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| LogUploader (median round) | {Rate(size, median.Client.Seconds)} MiB/s ({median.Client.Seconds:F2} s, {median.Client.Requests} requests) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| **throughput ratio uploader / curl** | **{ratio:F2}×** (target ≥ 0.80×; rounds: {string.Join(", ", rounds.Select(r => (r.Curl / r.Client.Seconds).ToString("F2", CultureInfo.InvariantCulture)))}) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| agent working set growth (max over rounds) | {Mib(rounds.Max(r => r.Client.PeakWorkingSet - r.Client.BaselineWorkingSet))} MiB over {Mib(rounds[0].Client.BaselineWorkingSet)} MiB (target < 64 MiB) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| agent allocations | {median.Client.AllocatedBytes / (double)size:F2} bytes per byte sent, {median.Client.Gen2Collections} gen2 GCs |")
            .AppendLine(CultureInfo.InvariantCulture, $"| server allocations (NdjsonLogReader, receiving curl) | {median.ServerAllocatedPerByte:F2} bytes per byte received |")
            .AppendLine(CultureInfo.InvariantCulture, $"| CPU seconds per GiB, sender: curl / LogUploader (median round) | {PerGib(median.CurlCpu, size)} / {PerGib(median.Client.CpuSeconds, size)} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| agent JIT during the timed run (median round) | {median.Client.JitMethods} methods, {median.Client.JitSeconds:F2} s |")
            .AppendLine(CultureInfo.InvariantCulture, $"| CPU seconds per GiB, server: receiving curl / uploader | {PerGib(median.ServerCpuCurl, size)} / {PerGib(median.ServerCpuClient, size)} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| curl peak working set | {Mib(rounds.Max(r => r.CurlPeakWorkingSet))} MiB |")
            .AppendLine(CultureInfo.InvariantCulture, $"| server peak working set, receiving curl / uploader | {Mib(rounds.Max(r => r.ServerPeakCurl))} / {Mib(rounds.Max(r => r.ServerPeakClient))} MiB |")
            .ToString();
        Console.WriteLine(summary);
        if (options.Output.Length > 0)
        {
            await File.WriteAllTextAsync(options.Output, JsonConvert.SerializeObject(new { size, lines, options.ChunkBytes, ratio, rounds }, Formatting.Indented));
        }

        foreach (var failure in failures)
        {
            Console.Error.WriteLine("FAILED: " + failure);
        }

        Console.WriteLine(failures.Count == 0 ? "every line arrived, agent memory within bounds" : $"{failures.Count} check(s) failed");
        return failures.Count == 0 ? 0 : 1;
    }

    private static void Check(List<string> failures, string what, ServerStats stats, long lines, long warmUp)
    {
        if (stats.Lines != lines + warmUp || stats.Refused != 0)
        {
            failures.Add($"{what}: the server accepted {stats.Lines - warmUp} of {lines} lines ({stats.Refused} request(s) refused)");
        }
    }

    private static async Task<(string File, long Lines)> CreateFileAsync(string directory, long bytes)
    {
        var file = Path.Combine(directory, $"logs-{bytes}.ndjson");
        var countFile = file + ".lines";
        if (File.Exists(file) && File.Exists(countFile))
        {
            return (file, long.Parse(await File.ReadAllTextAsync(countFile), CultureInfo.InvariantCulture));
        }

        long lines = 0;
        await using (var output = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
        {
            // The uploader writes the file, so curl sends exactly the bytes the uploader will.
            var redactor = new SecretRedactor(["db-Pa55word-9f2c", "s3-AKIAEXAMPLEKEY", "s3-wJalrXUtnFEMI/K7MDENG", "enc-4b1d9c0e7a", "telemetry-t0ken-77"]);
            var uploader = new LogUploader(
                async (body, ct) =>
                {
                    await body.CopyToAsync(output, ct);
                    return new LogReceipt();
                },
                redactor,
                new LogUploaderOptions { MaxChunkBytes = 1 << 20 });
            await using var session = uploader.Start();
            while (output.Length < bytes)
            {
                for (var i = 0; i < 4096; i++)
                {
                    await session.Writer.WriteAsync(LogLines.Entry(lines++));
                }

                await session.FlushAsync();
            }

            await session.CompleteAsync();
        }

        await File.WriteAllTextAsync(countFile, lines.ToString(CultureInfo.InvariantCulture));
        return (file, lines);
    }

    private static async Task<(double Seconds, long PeakWorkingSet, double CpuSeconds)> RunCurlAsync(string curl, string file, Uri target)
    {
        var start = new ProcessStartInfo(curl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/x-ndjson", "-X", "POST", "-T", file, target.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("curl did not start");
        var peak = 0L;
        var cpu = 0.0;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        while (!process.HasExited)
        {
            try
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                cpu = process.TotalProcessorTime.TotalSeconds; // the last sample before exit: a slight undercount
            }
            catch (Exception gone) when (gone is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                break; // exited between the check and the read
            }

            await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(20));
        }

        await process.WaitForExitAsync();
        clock.Stop();
        var status = await output;
        if (process.ExitCode != 0 || status != "201")
        {
            throw new InvalidOperationException($"curl failed (exit {process.ExitCode}, HTTP {status}): {await error}");
        }

        return (clock.Elapsed.TotalSeconds, peak, cpu);
    }

    private static async Task<ClientResult> RunClientAsync(Uri url, long lines, int chunkBytes)
    {
        using var client = StartSelf("client", "--url", url.ToString(), "--lines", lines.ToString(CultureInfo.InvariantCulture), "--chunk-bytes", chunkBytes.ToString(CultureInfo.InvariantCulture));
        var output = await client.StandardOutput.ReadToEndAsync();
        var error = await client.StandardError.ReadToEndAsync();
        await client.WaitForExitAsync();
        if (client.ExitCode != 0)
        {
            throw new InvalidOperationException($"the upload client failed (exit {client.ExitCode}): {error}{output}");
        }

        return JsonConvert.DeserializeObject<ClientResult>(output.Trim().Split('\n')[^1])!;
    }

    private static async Task<ServerStats> StatsAsync(HttpClient http)
        => JsonConvert.DeserializeObject<ServerStats>(await http.GetStringAsync("stats"))!;

    private static Process StartSelf(params string[] arguments)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start " + host);
    }

    private static string Rate(long bytes, double seconds) => (bytes / seconds / (1 << 20)).ToString("F1", CultureInfo.InvariantCulture);

    private static string PerGib(double seconds, long bytes) => (seconds * (1L << 30) / bytes).ToString("F1", CultureInfo.InvariantCulture);

    private static string Mib(long bytes) => (bytes / (double)(1 << 20)).ToString("F1", CultureInfo.InvariantCulture);

    private sealed record Round(int Number, double Curl, long CurlPeakWorkingSet, long ServerPeakCurl, ClientResult Client, long ServerPeakClient, double ServerAllocatedPerByte,
        double CurlCpu, double ServerCpuCurl, double ServerCpuClient);
}
