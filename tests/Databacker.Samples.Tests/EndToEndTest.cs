using Databacker.Api.Client;
using Databacker.Api.Contracts;
using Databacker.Samples.Hosting;
using NUnit.Framework.Interfaces;

namespace Databacker.Samples.Tests;

/// <summary>
/// The base of the end-to-end tests: a work directory per test, real controller and agent processes on 127.0.0.1,
/// every process killed and every file deleted in TearDown; on failure the processes' output is attached.
/// </summary>
[NonParallelizable]
public abstract class EndToEndTest
{
    protected static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    protected static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly List<SampleController> _controllers = [];
    private readonly List<SampleProcess> _processes = [];

    protected string Work { get; private set; } = "";

    private protected SampleAgent Agent { get; private set; } = null!;

    [SetUp]
    public void CreateWorkDirectory()
    {
        Work = Directory.CreateTempSubdirectory("databacker-e2e-").FullName;
        Agent = new SampleAgent(Work);
    }

    [TearDown]
    public void StopEverything()
    {
        var failed = TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed;
        foreach (var process in _processes)
        {
            if (failed)
            {
                TestContext.Out.WriteLine($"--- {process.Description} (exit {(process.HasExited ? process.ExitCode.ToString() : "running, killed")})\n{process.AllOutput}");
            }

            Quietly(process.Dispose);
        }

        foreach (var controller in _controllers)
        {
            if (failed && controller.CurrentProcess is { } process)
            {
                TestContext.Out.WriteLine($"--- controller {controller.Url}\n{string.Join('\n', process.Output.TakeLast(40))}");
            }

            Quietly(controller.Dispose);
        }

        _processes.Clear();
        _controllers.Clear();
        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (IOException)
        {
            // A dying process may still hold a file for a moment; the temp directory is cleaned by the OS.
        }
    }

    private static void Quietly(Action dispose)
    {
        try
        {
            dispose();
        }
        catch (Exception error)
        {
            // One process that cannot be stopped must not keep the others running.
            TestContext.Out.WriteLine($"TearDown: {error.Message}");
        }
    }

    private protected async Task<SampleController> StartControllerAsync(string name = "controller", IEnumerable<string>? arguments = null, string? dataDirectory = null, int? port = null)
    {
        var controller = await SampleController.StartAsync(Work, name, StartTimeout, arguments, port, dataDirectory: dataDirectory);
        _controllers.Add(controller);
        return controller;
    }

    /// <summary>Starts an agent command without waiting for it (killed in TearDown).</summary>
    private protected SampleProcess StartAgent(params string[] arguments)
    {
        var process = Agent.Start(arguments);
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs an agent command to its end and returns its exit code and process (output kept for the report).</summary>
    private protected async Task<(int ExitCode, SampleProcess Process)> RunAgentAsync(params string[] arguments)
    {
        var process = StartAgent(arguments);
        return (await process.WaitForExitAsync(CommandTimeout), process);
    }

    /// <summary>Generates a key and registers an instance with the agent's own commands; returns its id and key file.</summary>
    private protected async Task<(string Instance, string KeyFile)> RegisterAsync(SampleController controller, string name, params string[] services)
    {
        var keyFile = Path.Combine(Work, name + ".key");
        var (keygen, keygenProcess) = await RunAgentAsync("keygen", "--out", keyFile);
        Assert.That(keygen, Is.Zero, keygenProcess.AllOutput);
        string[] register = ["register", "--controller", controller.Url, "--admin-token-file", controller.AdminTokenFile, "--key", keyFile, "--name", name];
        var (registered, process) = await RunAgentAsync(services.Length == 0 ? register : [.. register, .. services.SelectMany(service => new[] { "--service", service })]);
        Assert.That(registered, Is.Zero, process.AllOutput);
        var instance = process.Output.First(l => !l.StartsWith("[stderr]", StringComparison.Ordinal)).Trim();
        Assert.That(instance, Does.Match("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
        return (instance, keyFile);
    }

    private protected static async Task ConfigureAsync(SampleController controller, string instance, ConfigDocument? configuration = null)
    {
        using var admin = AdminApi.Create(controller.BaseUrl, controller.AdminToken);
        await admin.Client.PutConfigAsync(configuration ?? DemoConfiguration.Create(), instance);
    }

    /// <summary>Runs <c>agent run</c> against <paramref name="controller"/> with a per-instance spool directory.</summary>
    private protected Task<(int ExitCode, SampleProcess Process)> RunBackupAsync(string controller, string instance, string keyFile, double workScale = 0.1)
        => RunAgentAsync(RunArguments(controller, instance, keyFile, workScale));

    private protected string[] RunArguments(string controller, string instance, string keyFile, double workScale) =>
        ["run", "--controller", controller, "--instance", instance, "--key", keyFile, "--spool", Path.Combine(Work, "spool-" + instance),
            "--work-scale", workScale.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    private protected static async Task<IReadOnlyList<RunDetail>> RunsAsync(SampleController controller, string instance)
    {
        using var admin = AdminApi.Create(controller.BaseUrl, controller.AdminToken);
        var list = await admin.Client.ListRunsAsync(instance, limit: 50);
        var runs = new List<RunDetail>();
        foreach (var run in list.Items)
        {
            runs.Add(await admin.Client.GetRunAsync(instance, run.Id));
        }

        return runs;
    }

    private protected static async Task<IReadOnlyList<LogEntry>> LogAsync(SampleController controller, string instance, Guid run)
    {
        using var admin = AdminApi.Create(controller.BaseUrl, controller.AdminToken);
        return await admin.Client.ReadRunLogAsync(instance, run).ToListAsync();
    }
}
