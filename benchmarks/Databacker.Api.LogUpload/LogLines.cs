using System.Globalization;
using Databacker.Api.Contracts;

namespace Databacker.Api.LogUpload;

/// <summary>
/// The benchmark's log: a deterministic sequence of realistic lines (a backup tool's progress output of varying
/// length), the same in every process, so the file curl sends and the uploader's lines are byte for byte alike.
/// </summary>
internal static class LogLines
{
    public static readonly Guid Run = Guid.Parse("6d0b6d8e-8f4b-4f7e-9d1c-2b5a7f3e9c01");

    private static readonly DateTimeOffset Start = new(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);

    private static readonly string[] Messages = CreateMessages();

    public static LogEntry Entry(long seq) => new()
    {
        Run = Run,
        Seq = seq,
        Timestamp = Start.AddMilliseconds(seq),
        Level = (seq & 7) == 7 ? "warn" : "info",
        Stream = (seq & 7) == 7 ? LogStream.Stderr : LogStream.Stdout,
        Message = Messages[seq % Messages.Length],
    };

    public static async IAsyncEnumerable<LogEntry> Entries(long count)
    {
        for (long seq = 0; seq < count; seq++)
        {
            yield return Entry(seq);
        }

        await Task.CompletedTask;
    }

    private static string[] CreateMessages()
    {
        var random = new Random(42);
        string[] tables = ["orders", "customers", "invoices", "audit_log", "sessions", "products", "shipments"];
        var messages = new string[509];
        for (var i = 0; i < messages.Length; i++)
        {
            var table = tables[random.Next(tables.Length)];
            messages[i] = (i % 5) switch
            {
                0 => string.Create(CultureInfo.InvariantCulture, $"-- Dumping data for table `{table}` ({random.Next(1, 5_000_000)} rows, {random.NextDouble() * 900:F1} MiB)"),
                1 => string.Create(CultureInfo.InvariantCulture, $"INSERT INTO `{table}` VALUES ({random.Next()},'{Guid.NewGuid():N}','2026-11-{random.Next(1, 28):D2} {random.Next(24):D2}:{random.Next(60):D2}:00',{random.NextDouble() * 1000:F2},\"note: \\\"quoted\\\" text\")"),
                2 => string.Create(CultureInfo.InvariantCulture, $"upload s3://backups/db/{table}-{random.Next(100000)}.sql.gz: part {random.Next(1, 10000)} of {random.Next(10000, 20000)} sent, {random.Next(1, 120)} MiB/s"),
                3 => string.Create(CultureInfo.InvariantCulture, $"warning: table `{table}` has no primary key; consistent snapshot relies on --single-transaction (lock wait {random.Next(1000)} ms) — ünïcödé ok"),
                _ => new string('.', random.Next(10, 60)) + string.Create(CultureInfo.InvariantCulture, $" {random.Next(100)}% done"),
            };
        }

        return messages;
    }
}
