using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Contracts;

namespace Databacker.Samples.Agent;

/// <summary>
/// One simulated backup run driven by a local configuration: pre-backup scripts, a dump per configured database,
/// an upload per target, post-backup scripts. The work is simulated (delays and byte counts); the reporting is real:
/// every line goes to the run log, every phase is an event scope, and everything is redacted.
/// </summary>
internal sealed class BackupRun
{
    private const long MiB = 1024 * 1024;

    private readonly LocalConfigSpec _spec;
    private readonly RunEvents _events;
    private readonly RunLog _log;
    private readonly SecretRedactor _redactor;
    private readonly Func<CancellationToken, Task> _flushEvents;
    private readonly double _workScale;
    private readonly Random _random;

    public BackupRun(LocalConfigSpec spec, RunEvents events, RunLog log, SecretRedactor redactor, Func<CancellationToken, Task> flushEvents, double workScale, Random random)
    {
        _spec = spec;
        _events = events;
        _log = log;
        _redactor = redactor;
        _flushEvents = flushEvents;
        _workScale = workScale;
        _random = random;
    }

    /// <summary>Bytes the run produced (the sum of its dumps).</summary>
    public long Bytes { get; private set; }

    /// <summary>Runs every phase; returns the error of the first phase that failed, or <see langword="null"/>.</summary>
    public async Task<string?> ExecuteAsync(string configName, CancellationToken cancellationToken)
    {
        var database = _spec.Database;
        var server = database?.Server ?? "localhost";
        var port = database?.Port ?? 3306;
        var user = database?.Credentials?.Username ?? "root";
        await InfoAsync($"run {_log.Run} started with configuration '{configName}'", cancellationToken);
        await InfoAsync($"database server {server}:{port.ToString(CultureInfo.InvariantCulture)}, user {user}", cancellationToken);

        if (_spec.Dump?.Scripts?.PreBackup is { Length: > 0 } preBackup)
        {
            await ScriptAsync(EventType.PreBackupScriptStarted, EventType.PreBackupScriptFinished, "pre-backup", preBackup, cancellationToken);
        }

        var databases = Databases();
        var dumps = new List<(string Database, string File, long Bytes)>();
        foreach (var name in databases)
        {
            using var scope = _events.Begin(EventType.DumpStarted, EventType.DumpFinished, database: name);
            var compression = _spec.Dump?.Compression ?? "gzip";
            var file = $"db_backup_{name}_{DateTimeOffset.UtcNow:yyyy-MM-ddTHHmmssZ}.sql{(compression == "none" ? "" : ".gz")}";
            await InfoAsync($"dumping database '{name}' from {server}:{port.ToString(CultureInfo.InvariantCulture)} ({compression}) to {file}", cancellationToken);
            var bytes = _random.NextInt64(2 * MiB, 12 * MiB);
            await WorkAsync($"dump {name}", bytes, steps: 4, stepMs: 120, cancellationToken);
            scope.Bytes = bytes;
            dumps.Add((name, file, bytes));
            Bytes += bytes;
            await InfoAsync($"dumped '{name}': {Size(bytes)}", cancellationToken);
            scope.Dispose();
            await _flushEvents(cancellationToken);
        }

        var failure = (string?)null;
        foreach (var (name, target) in Targets())
        {
            using var scope = _events.Begin(EventType.UploadStarted, EventType.UploadFinished, target: name);
            var total = dumps.Sum(d => d.Bytes);
            await InfoAsync($"uploading {dumps.Count} file(s), {Size(total)}, to {target.Type} target '{name}' at {target.Url}", cancellationToken);
            if (target.Spec?.Endpoint is { Length: > 0 } endpoint)
            {
                await InfoAsync($"target '{name}' uses endpoint {endpoint} (region {target.Spec.Region ?? "default"})", cancellationToken);
            }

            if (!target.Type.IsKnown)
            {
                var error = $"target '{name}' has an unsupported type '{target.Type}'";
                await ErrorAsync(error, cancellationToken);
                scope.Fail(error);
                failure ??= error;
            }
            else
            {
                await WorkAsync($"upload {name}", total, steps: 8, stepMs: 60, cancellationToken);
                scope.Bytes = total;
                await InfoAsync($"uploaded {Size(total)} to '{name}'", cancellationToken);
            }

            scope.Dispose();
            await _flushEvents(cancellationToken);
        }

        if (_spec.Dump?.Scripts?.PostBackup is { Length: > 0 } postBackup)
        {
            await ScriptAsync(EventType.PostBackupScriptStarted, EventType.PostBackupScriptFinished, "post-backup", postBackup, cancellationToken);
        }

        return failure;
    }

    private async Task ScriptAsync(EventType started, EventType finished, string what, string directory, CancellationToken cancellationToken)
    {
        using var scope = _events.Begin(started, finished, script: directory);
        await InfoAsync($"running {what} scripts in {directory}", cancellationToken);
        await DelayAsync(150, cancellationToken);
        await _log.WriteAsync(LogStream.Stdout, $"{what}: flushing tables and recording the binlog position", "info", cancellationToken: cancellationToken);
        scope.ExitCode = 0;
        await InfoAsync($"{what} scripts finished with exit code 0", cancellationToken);
        scope.Dispose();
        await _flushEvents(cancellationToken);
    }

    private IReadOnlyList<string> Databases()
    {
        var include = _spec.Dump?.Include?.Where(d => !string.IsNullOrWhiteSpace(d)).ToList() ?? [];
        var exclude = new HashSet<string>(_spec.Dump?.Exclude ?? [], StringComparer.Ordinal);
        var databases = include.Count > 0 ? include : ["all-databases"];
        return databases.Where(d => !exclude.Contains(d)).ToList();
    }

    private IEnumerable<(string Name, BackupTarget Target)> Targets()
    {
        var targets = _spec.Targets ?? new Dictionary<string, BackupTarget>();
        var names = _spec.Dump?.Targets is { Count: > 0 } chosen ? chosen : targets.Keys.ToList();
        foreach (var name in names)
        {
            if (targets.TryGetValue(name, out var target) && target is not null)
            {
                yield return (name, target);
            }
            else
            {
                Console.Error.WriteLine($"warning: dump.targets names '{name}', which is not in targets; skipped");
            }
        }
    }

    /// <summary>Simulated work with a progress line per step.</summary>
    private async Task WorkAsync(string what, long bytes, int steps, int stepMs, CancellationToken cancellationToken)
    {
        var interactive = !Console.IsOutputRedirected;
        for (var step = 1; step <= steps; step++)
        {
            await DelayAsync(stepMs, cancellationToken);
            var done = bytes * step / steps;
            var line = $"  {what}: {100 * step / steps,3}% ({Size(done)} of {Size(bytes)})";
            if (interactive)
            {
                Console.Write("\r" + line + (step == steps ? Environment.NewLine : ""));
            }
            else if (step == steps || step == steps / 2)
            {
                Console.WriteLine(line);
            }
        }
    }

    private Task DelayAsync(int milliseconds, CancellationToken cancellationToken)
    {
        var scaled = (int)(milliseconds * _workScale);
        return scaled > 0 ? Task.Delay(scaled, cancellationToken) : Task.CompletedTask;
    }

    private async Task InfoAsync(string message, CancellationToken cancellationToken)
    {
        Console.WriteLine(_redactor.Redact(message));
        await _log.WriteAsync(LogStream.Stdout, message, "info", cancellationToken: cancellationToken);
    }

    private async Task ErrorAsync(string message, CancellationToken cancellationToken)
    {
        Console.WriteLine(_redactor.Redact(message));
        await _log.WriteAsync(LogStream.Stderr, message, "error", cancellationToken: cancellationToken);
    }

    internal static string Size(long bytes) => bytes >= MiB
        ? (bytes / (double)MiB).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB";
}
