using System.Net;
using System.Net.Sockets;

namespace Databacker.Samples.Hosting;

/// <summary>
/// The reference controller as a real process on a free loopback port, with its own data directory and admin token
/// file; can be stopped and started again on the same port and data (a restart).
/// </summary>
internal sealed class SampleController : IDisposable
{
    private readonly string[] _extraArguments;
    private readonly Action<string>? _echo;
    private SampleProcess? _process;

    private SampleController(int port, string dataDirectory, string adminTokenFile, string[] extraArguments, Action<string>? echo)
    {
        Port = port;
        DataDirectory = dataDirectory;
        AdminTokenFile = adminTokenFile;
        _extraArguments = extraArguments;
        _echo = echo;
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>The URL without the trailing slash, as the operator types it.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    public string DataDirectory { get; }

    public string AdminTokenFile { get; }

    public SampleProcess Process => _process ?? throw new InvalidOperationException("The controller is not running.");

    /// <summary>The current or last process, if any.</summary>
    public SampleProcess? CurrentProcess => _process;

    public string AdminToken => File.ReadAllText(AdminTokenFile).Trim();

    /// <summary>Starts a controller and waits until <c>/healthz</c> answers.</summary>
    public static async Task<SampleController> StartAsync(string workDirectory, string name, TimeSpan timeout, IEnumerable<string>? extraArguments = null, int? port = null, Action<string>? echo = null, string? dataDirectory = null, CancellationToken cancellationToken = default)
    {
        var controller = new SampleController(
            port ?? FreePort(),
            dataDirectory ?? Path.Combine(workDirectory, name + "-data"),
            Path.Combine(workDirectory, name + ".admin-token"),
            extraArguments?.ToArray() ?? [],
            echo);
        try
        {
            await controller.StartAsync(timeout, cancellationToken);
            return controller;
        }
        catch
        {
            controller.Dispose();
            throw;
        }
    }

    /// <summary>Reserves a free loopback port (released at once; the controller binds it a moment later).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the process (again) and waits for <c>/healthz</c>.</summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("The controller is already running.");
        }

        _process?.Dispose();
        File.Delete(AdminTokenFile);
        string[] arguments = ["--urls", Url, "--data-dir", DataDirectory, "--admin-token-file", AdminTokenFile, .. _extraArguments];
        _process = SampleProcess.Start(SampleOutputs.Controller, arguments, Path.GetDirectoryName(AdminTokenFile)!, _echo);
        await WaitHealthyAsync(timeout, cancellationToken);
    }

    /// <summary>Kills the process (SIGKILL), as a crash or an abrupt restart would.</summary>
    public void Stop()
    {
        _process?.Kill();
    }

    public void Dispose()
    {
        _process?.Dispose();
        _process = null;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTimeOffset.UtcNow + timeout;
        var last = "no answer yet";
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The controller exited with code {Process.ExitCode} before it was healthy. Output:\n{Process.AllOutput}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "healthz"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK && File.Exists(AdminTokenFile) && new FileInfo(AdminTokenFile).Length > 0)
                {
                    return;
                }

                last = $"/healthz answered {(int)response.StatusCode}";
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = error.Message;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The controller at {Url} was not healthy within {timeout.TotalSeconds:0} s ({last}). Output:\n{Process.AllOutput}");
    }
}
