using Databacker.Api.Contracts;
using Newtonsoft.Json;

namespace Databacker.Samples.Agent;

/// <summary>
/// What the agent keeps between runs in its spool directory: the last configuration and its ETag (so a poll can be
/// answered with 304), the marker of the run in progress (so a run cut short by a crash is reported as failed on
/// the next start) and, in <c>outbox/</c>, the reports not yet delivered. One agent process per directory.
/// </summary>
internal sealed class AgentState : IDisposable
{
    private readonly FileStream _lock;

    private AgentState(string directory, FileStream lockFile)
    {
        Directory = directory;
        _lock = lockFile;
    }

    public string Directory { get; }

    public string OutboxDirectory => Path.Combine(Directory, "outbox");

    private string ETagPath => Path.Combine(Directory, "config.etag");

    private string ConfigPath => Path.Combine(Directory, "config.json");

    private string RunMarkerPath => Path.Combine(Directory, "current-run");

    /// <summary>Opens the directory and takes its lock, so that two agents never share an outbox.</summary>
    public static AgentState Open(string directory)
    {
        // Owner only: the spool holds reports and the cached configuration, with its credentials.
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        try
        {
            var lockFile = new FileStream(Path.Combine(directory, "agent.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new AgentState(Path.GetFullPath(directory), lockFile);
        }
        catch (IOException)
        {
            throw new CommandFailure($"another agent is running with the spool directory '{Path.GetFullPath(directory)}'");
        }
    }

    /// <summary>The ETag of the cached configuration, if both are there.</summary>
    public string? CachedETag => File.Exists(ETagPath) && File.Exists(ConfigPath) ? File.ReadAllText(ETagPath).Trim() : null;

    public ConfigDocument? LoadConfiguration()
        => File.Exists(ConfigPath) ? JsonConvert.DeserializeObject<ConfigDocument>(File.ReadAllText(ConfigPath), CachedJson) : null;

    // The cached copy reads back as it was fetched (date-like strings among unknown members kept).
    private static readonly JsonSerializerSettings CachedJson = Databacker.Api.Contracts.Serialization.ContractJsonSettings.Create();

    public void SaveConfiguration(ConfigDocument document, string? etag)
    {
        WriteAtomically(ConfigPath, JsonConvert.SerializeObject(document, Formatting.Indented, CachedJson));
        if (string.IsNullOrEmpty(etag))
        {
            File.Delete(ETagPath);
        }
        else
        {
            WriteAtomically(ETagPath, etag);
        }
    }

    /// <summary>The run that was in progress when the agent last stopped, if it never finished.</summary>
    public Guid? InterruptedRun => File.Exists(RunMarkerPath) && Guid.TryParse(File.ReadAllText(RunMarkerPath).Trim(), out var run) ? run : null;

    public void MarkRunStarted(Guid run) => WriteAtomically(RunMarkerPath, run.ToString());

    public void MarkRunFinished() => File.Delete(RunMarkerPath);

    public void Dispose() => _lock.Dispose();

    // Readable by the owner only (the configuration carries database and target credentials), and always a new file:
    // truncating a leftover one would keep whatever mode it had.
    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
