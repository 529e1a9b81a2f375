using Databacker.Api.Client;
using Databacker.Api.Contracts;
using Newtonsoft.Json;

namespace Databacker.Samples.Hosting;

/// <summary>Reads a run's log back through the administration API (NDJSON, one <see cref="LogEntry"/> per line).</summary>
internal static class RunLogReader
{
    public static async Task<IReadOnlyList<LogEntry>> ReadAsync(IAdministrationClient admin, string instance, Guid run, CancellationToken cancellationToken = default)
    {
        using var response = await admin.GetRunLogAsync(instance, run, cancellationToken);
        using var reader = new StreamReader(response.Stream);
        var entries = new List<LogEntry>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                entries.Add(JsonConvert.DeserializeObject<LogEntry>(line)!);
            }
        }

        return entries;
    }
}
