using System.CommandLine;
using Databacker.Api.Contracts;

namespace Databacker.Samples.Agent;

/// <summary>
/// <c>serve</c>: the agent as a service. It follows the configuration the controller holds (polled with its ETag, so
/// a change reaches it within the poll interval) and runs a backup whenever its schedule says, reporting each run as
/// <c>run</c> does, until stopped (Ctrl-C), after <c>--max-runs</c> runs, or after one run when the schedule says once.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var controller = new Option<string>("--controller") { Description = "The controller's orchestration URL, e.g. http://127.0.0.1:5080.", Required = true };
        var instance = new Option<string>("--instance") { Description = "This instance's id, as printed by register.", Required = true };
        var keyFile = new Option<FileInfo>("--key") { Description = "The instance's private key (PKCS#8 PEM, from keygen).", Required = true };
        var spool = new Option<DirectoryInfo?>("--spool") { Description = "As for run. Default: .databacker-agent/<instance> under the current directory." };
        var workScale = new Option<double>("--work-scale") { Description = "As for run.", DefaultValueFactory = _ => 1.0 };
        var poll = new Option<int>("--poll") { Description = "Seconds between checks of the configuration while waiting for the next run (1-3600).", DefaultValueFactory = _ => 60 };
        var localConfig = RunCommand.LocalConfigOption();
        var maxRuns = new Option<int>("--max-runs") { Description = "Stop after this many runs (0: never).", DefaultValueFactory = _ => 0 };
        poll.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 3600)
            {
                r.AddError("--poll must be between 1 and 3600 seconds.");
            }
        });
        maxRuns.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--max-runs must not be negative.");
            }
        });
        var command = new Command("serve", "Runs simulated backups on the schedule of the configuration the controller holds for this instance (cron times in UTC), following its changes, and reports each run.")
        {
            controller, instance, keyFile, spool, workScale, poll, maxRuns, localConfig,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(
            token => ServeAsync(
                RunCommand.CheckController(parse.GetRequiredValue(controller)),
                parse.GetRequiredValue(instance),
                parse.GetRequiredValue(keyFile),
                parse.GetValue(spool)?.FullName ?? Path.Combine(".databacker-agent", parse.GetRequiredValue(instance)),
                parse.GetValue(workScale),
                TimeSpan.FromSeconds(parse.GetValue(poll)),
                parse.GetValue(maxRuns),
                parse.GetValue(localConfig),
                token),
            ct));
        return command;
    }

    private static async Task<int> ServeAsync(
        Uri controller, string instanceId, FileInfo keyFile, string spoolDirectory, double workScale, TimeSpan poll, int maxRuns, FileInfo? localConfig,
        CancellationToken cancellationToken)
    {
        using var state = AgentState.Open(spoolDirectory);
        using var key = await KeyFile.ReadAsync(keyFile, cancellationToken);
        await using var databacker = RunCommand.Connect(controller, instanceId, key);
        var spool = RunCommand.Spool(databacker, instanceId, state);
        Console.WriteLine($"agent {instanceId} serving: controller {controller}, key {key.KeyId}, spool {state.Directory}, configuration checked every {poll.TotalSeconds:0} s");

        var startedAt = DateTimeOffset.UtcNow;
        DateTimeOffset? lastRun = null;
        var runs = 0;
        var failures = 0;
        while (true)
        {
            // The schedule of the configuration as it is now, checked again every poll while waiting for the run; the
            // time of the next run is kept while the schedule stays the same.
            BackupSchedule schedule;
            DateTimeOffset? next = null;
            string? nextFor = null;
            while (true)
            {
                ConfigDocument document;
                try
                {
                    (document, _) = await RunCommand.FetchConfigurationAsync(databacker.Configuration, state, online: true, localConfig, cancellationToken);
                }
                catch (Exception error) when (error is not OperationCanceledException && error is not CommandFailure { Final: true })
                {
                    // No configuration yet (404), the controller away without a cached copy, a refusal that an
                    // administrator may lift: a service waits and asks again.
                    Console.Error.WriteLine($"warning: no configuration to run with ({CommandRunner.Describe(error)}); asking again in {poll.TotalSeconds:0} s");
                    await Task.Delay(poll, cancellationToken);
                    continue;
                }

                schedule = BackupSchedule.Of(document);
                if (next is null || schedule.Description != nextFor)
                {
                    next = schedule.Next(startedAt, lastRun, DateTimeOffset.UtcNow);
                    nextFor = schedule.Description;
                    Console.WriteLine($"schedule: {nextFor}{(schedule.Once ? ", once" : "")}; next run at {next:O}");
                }

                var wait = next.Value - DateTimeOffset.UtcNow;
                if (wait <= TimeSpan.Zero)
                {
                    break;
                }

                await Task.Delay(wait < poll ? wait : poll, cancellationToken);
            }

            lastRun = DateTimeOffset.UtcNow;
            runs++;
            int exitCode;
            try
            {
                exitCode = await RunCommand.RunOnceAsync(databacker, spool, state, workScale, localConfig, cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException && error is not CommandFailure { Final: true })
            {
                // A service keeps going: the next run may find the controller back.
                Console.Error.WriteLine($"warning: run {runs} could not be made: {CommandRunner.Describe(error)}");
                exitCode = ExitCodes.Failure;
            }

            failures += exitCode == ExitCodes.Success ? 0 : 1;
            if (schedule.Once || (maxRuns > 0 && runs >= maxRuns))
            {
                Console.WriteLine($"served {runs} run(s), {failures} failed");
                return failures == 0 ? ExitCodes.Success : ExitCodes.Failure;
            }
        }
    }
}
