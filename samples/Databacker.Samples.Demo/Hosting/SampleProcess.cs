using System.Collections.Concurrent;
using System.Diagnostics;

namespace Databacker.Samples.Hosting;

/// <summary>
/// A sample (controller or agent) running as a child process: <c>dotnet &lt;dll&gt; args…</c>, its output kept line by
/// line (and optionally echoed), killed with its whole tree when disposed.
/// </summary>
internal sealed class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Action<string>? _echo;
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly Lock _gate = new();

    private SampleProcess(Process process, Action<string>? echo)
    {
        _process = process;
        _echo = echo;
    }

    /// <summary>What was started, for messages.</summary>
    public required string Description { get; init; }

    public int Id => _process.Id;

    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true; // disposed
            }
        }
    }

    /// <summary>The exit code, or -1 while running or when it was killed before it could be read.</summary>
    public int ExitCode
    {
        get
        {
            try
            {
                return _process.HasExited ? _process.ExitCode : -1;
            }
            catch (InvalidOperationException)
            {
                return -1;
            }
        }
    }

    /// <summary>Every line written so far, stdout and stderr interleaved as they came.</summary>
    public IReadOnlyList<string> Output => _output.ToArray();

    public string StandardOutput => string.Join('\n', _output.Where(l => !l.StartsWith("[stderr] ", StringComparison.Ordinal)));

    public string AllOutput => string.Join('\n', _output);

    /// <summary>Starts <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/></c>.</summary>
    public static SampleProcess Start(string assembly, IEnumerable<string> arguments, string workingDirectory, Action<string>? echo = null)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var sample = new SampleProcess(process, echo) { Description = $"{Path.GetFileNameWithoutExtension(assembly)} {string.Join(' ', arguments)}" };
        process.OutputDataReceived += (_, e) => sample.OnLine(e.Data, null, sample._outputClosed);
        process.ErrorDataReceived += (_, e) => sample.OnLine(e.Data, "[stderr] ", sample._errorClosed);
        if (!process.Start())
        {
            throw new InvalidOperationException($"'{sample.Description}' did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>Waits for the process to exit and its output to be read; kills it when <paramref name="timeout"/> passes first.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
            await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return _process.ExitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
            throw new TimeoutException($"'{Description}' did not exit within {timeout.TotalSeconds:0} s; killed. Output:\n{AllOutput}");
        }
    }

    /// <summary>Waits until a line matching <paramref name="match"/> is written; fails if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var already = _output.FirstOrDefault(match);
            if (already is not null)
            {
                return already;
            }

            _waiters.Add((match, seen));
        }

        var exited = _process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout, cancellationToken));
        if (first == seen.Task)
        {
            return await seen.Task;
        }

        throw new TimeoutException(first == exited
            ? $"'{Description}' exited ({_process.ExitCode}) before writing the expected line. Output:\n{AllOutput}"
            : $"'{Description}' did not write the expected line within {timeout.TotalSeconds:0} s. Output:\n{AllOutput}");
    }

    /// <summary>Kills the process and its children at once (SIGKILL on Unix), if it still runs.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void OnLine(string? line, string? prefix, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        var text = prefix + line;
        lock (_gate)
        {
            _output.Enqueue(text);
            foreach (var waiter in _waiters.Where(w => w.Match(text)).ToList())
            {
                waiter.Seen.TrySetResult(text);
                _waiters.Remove(waiter);
            }
        }

        _echo?.Invoke(text);
    }

    private static string DotnetHost()
    {
        // The host running us (dotnet) runs the samples too; DOTNET_HOST_PATH is set by the SDK for test hosts.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? current : "dotnet";
    }
}
