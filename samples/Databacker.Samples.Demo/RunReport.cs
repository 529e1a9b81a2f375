using System.Globalization;
using System.Text;
using Databacker.Api.Contracts;

namespace Databacker.Samples.Demo;

/// <summary>The human-readable report of one run: status, phases with durations and bytes, the last log lines.</summary>
internal static class RunReport
{
    public static string Format(RunDetail run, IReadOnlyList<LogEntry> log, string instance, int logLines = 8)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run {run.Id} of instance {instance}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  status     {run.Status}{(run.Error is null ? "" : $" ({run.Error})")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  started    {run.StartedAt:yyyy-MM-dd HH:mm:ss} UTC, took {Duration(run.DurationMs)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  bytes      {Size(run.Bytes)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  databases  {string.Join(", ", run.Databases ?? [])}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  targets    {string.Join(", ", run.Targets ?? [])}");
        text.AppendLine("  phases");
        foreach (var e in run.Events.Where(e => e.Type.Value.EndsWith("-finished", StringComparison.Ordinal)))
        {
            var phase = e.Type.Value[..^"-finished".Length];
            var subject = e.Database ?? e.Target ?? e.Script ?? "";
            var outcome = e.Error is not null ? $"FAILED: {e.Error}" : e.ExitCode is { } code ? $"exit {code}" : Size(e.Bytes);
            text.AppendLine(CultureInfo.InvariantCulture, $"    {phase,-18} {subject,-32} {Duration(e.DurationMs),9}  {outcome}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  last log lines ({log.Count} in all)");
        foreach (var line in log.TakeLast(logLines))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {line.Timestamp:HH:mm:ss.fff} {line.Level ?? "info",-5} {line.Message}");
        }

        return text.ToString();
    }

    private static string Duration(long? milliseconds) => milliseconds is { } ms
        ? ms >= 1000 ? (ms / 1000.0).ToString("0.00", CultureInfo.InvariantCulture) + " s" : ms.ToString(CultureInfo.InvariantCulture) + " ms"
        : "-";

    private static string Size(long? bytes) => bytes switch
    {
        null => "-",
        >= 1024 * 1024 => (bytes.Value / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes.Value / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
    };
}
