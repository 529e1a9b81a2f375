using System.Globalization;
using Databacker.Api.Client;
using Databacker.Api.Contracts;
using Databacker.Samples.Hosting;

namespace Databacker.Samples.Demo;

/// <summary>The demo's steps, each printed as it happens, then the report.</summary>
internal static class DemoStory
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(string work, bool verbose, Action<SampleController> started, CancellationToken cancellationToken)
    {
        Step($"1/6 starting the controller (data in {work})");
        var controller = await SampleController.StartAsync(
            work, "controller", StartTimeout, echo: verbose ? line => Console.WriteLine("  controller | " + line) : null, cancellationToken: cancellationToken);
        started(controller);
        Console.WriteLine($"    listening on {controller.Url}, healthy");

        var agent = new SampleAgent(work, line => Console.WriteLine("  agent | " + line));
        var keyFile = Path.Combine(work, "instance.key");
        Step("2/6 generating the instance key (agent keygen)");
        using (await agent.RunSuccessfullyAsync(CommandTimeout, "keygen", "--out", keyFile))
        {
        }

        Step("3/6 registering the instance (agent register, with the operator's admin token)");
        string instance;
        using (var register = await agent.RunSuccessfullyAsync(
            CommandTimeout, "register", "--controller", controller.Url, "--admin-token-file", controller.AdminTokenFile, "--key", keyFile, "--name", "orders-db"))
        {
            instance = register.Output.First(l => !l.StartsWith("[stderr]", StringComparison.Ordinal)).Trim();
        }

        Step($"4/6 setting the configuration of {instance} (PUT /instances/{instance}/config)");
        using var admin = AdminApi.Create(controller.BaseUrl, controller.AdminToken);
        var stored = await admin.Client.PutConfigAsync(DemoConfiguration.Create(), instance, cancellationToken: cancellationToken);
        Console.WriteLine($"    stored, ETag {Header(stored.Headers, "ETag")}");

        Step("5/6 running a backup (agent run)");
        using (await agent.RunSuccessfullyAsync(
            CommandTimeout, "run", "--controller", controller.Url, "--instance", instance, "--key", keyFile, "--spool", Path.Combine(work, "spool")))
        {
        }

        Step("6/6 reading the run back through the administration API");
        var runs = await admin.Client.ListRunsAsync(instance, limit: 1, cancellationToken: cancellationToken);
        var latest = runs.Items.FirstOrDefault() ?? throw new InvalidOperationException("The controller lists no run for the instance.");
        var run = await admin.Client.GetRunAsync(instance, latest.Id, cancellationToken);
        var log = await admin.Client.ReadRunLogAsync(instance, run.Id, cancellationToken).ToListAsync(cancellationToken);
        Console.WriteLine();
        Console.Write(RunReport.Format(run, log, instance));
        return run.Status == RunStatus.Succeeded ? 0 : 1;
    }

    private static void Step(string text)
    {
        Console.WriteLine();
        Console.WriteLine("==> " + text);
    }

    private static string Header(IReadOnlyDictionary<string, IEnumerable<string>> headers, string name)
        => headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault() ?? "-";
}
