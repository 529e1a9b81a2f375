namespace Databacker.Samples.Hosting;

/// <summary>Runs the agent's commands as real processes, one process per command.</summary>
internal sealed class SampleAgent(string workDirectory, Action<string>? echo = null)
{
    public string WorkDirectory { get; } = workDirectory;

    /// <summary>Starts <c>agent args…</c> without waiting.</summary>
    public SampleProcess Start(params string[] arguments) => SampleProcess.Start(SampleOutputs.Agent, arguments, WorkDirectory, echo);

    /// <summary>Runs <c>agent args…</c> to its end.</summary>
    public async Task<(int ExitCode, SampleProcess Process)> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var process = Start(arguments);
        var exitCode = await process.WaitForExitAsync(timeout);
        return (exitCode, process);
    }

    /// <summary>Runs a command that must succeed; throws with its output otherwise.</summary>
    public async Task<SampleProcess> RunSuccessfullyAsync(TimeSpan timeout, params string[] arguments)
    {
        var (exitCode, process) = await RunAsync(timeout, arguments);
        if (exitCode != 0)
        {
            using (process)
            {
                throw new InvalidOperationException($"'agent {string.Join(' ', arguments)}' exited with {exitCode}:\n{process.AllOutput}");
            }
        }

        return process;
    }
}
