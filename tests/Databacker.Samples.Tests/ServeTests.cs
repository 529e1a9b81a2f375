using Databacker.Api.Contracts;
using Databacker.Samples.Hosting;

namespace Databacker.Samples.Tests;

/// <summary>The agent as a service: it runs on its configuration's schedule and follows changes to it.</summary>
public sealed class ServeTests : EndToEndTest
{
    private string[] ServeArguments(SampleController controller, string instance, string keyFile, params string[] more) =>
        ["serve", "--controller", controller.Url, "--instance", instance, "--key", keyFile, "--spool", Path.Combine(Work, "spool"), "--work-scale", "0", .. more];

    // The demo configuration with a schedule.
    private static LocalConfig Scheduled(DumpSchedule schedule, string name = "orders-db nightly")
    {
        var configuration = DemoConfiguration.Create(name);
        configuration.Spec.Dump!.Schedule = schedule;
        return configuration;
    }

    private static LocalConfig Every2Seconds(string name) => Scheduled(new DumpSchedule { Cron = "*/2 * * * * *" }, name);

    [Test, CancelAfter(90_000)]
    public async Task Serve_runs_on_the_schedule_and_the_second_run_uses_the_configuration_changed_after_the_first()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance, Every2Seconds("first"));

        using var agent = StartAgent(ServeArguments(controller, instance, keyFile, "--poll", "1", "--max-runs", "2"));
        await agent.WaitForLineAsync(l => l.Contains(" succeeded: ", StringComparison.Ordinal), TimeSpan.FromSeconds(40));
        await ConfigureAsync(controller, instance, Every2Seconds("second"));
        var exitCode = await agent.WaitForExitAsync(TimeSpan.FromSeconds(40));

        var runs = await RunsAsync(controller, instance);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, agent.AllOutput);
            Assert.That(agent.StandardOutput, Does.Contain("schedule: cron '*/2 * * * * *'"));
            Assert.That(agent.StandardOutput, Does.Contain("fetched configuration 'second'"), "the change reached the running agent");
            Assert.That(agent.StandardOutput, Does.Contain("served 2 run(s), 0 failed"));
            Assert.That(runs, Has.Count.EqualTo(2));
            Assert.That(runs.Select(r => r.Status), Is.All.EqualTo(RunStatus.Succeeded));
        });
    }

    [Test, CancelAfter(90_000)]
    public async Task Serve_started_before_the_instance_has_a_configuration_waits_for_one()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");

        using var agent = StartAgent(ServeArguments(controller, instance, keyFile, "--poll", "1", "--max-runs", "1"));
        await agent.WaitForLineAsync(l => l.Contains("no configuration to run with", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await ConfigureAsync(controller, instance, Every2Seconds("late"));
        var exitCode = await agent.WaitForExitAsync(TimeSpan.FromSeconds(40));

        Assert.Multiple(async () =>
        {
            Assert.That(exitCode, Is.Zero, agent.AllOutput);
            Assert.That(agent.StandardOutput, Does.Contain("fetched configuration 'late'"));
            Assert.That(await RunsAsync(controller, instance), Has.Count.EqualTo(1));
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Serve_with_a_schedule_that_says_once_runs_one_backup_and_stops()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance, Scheduled(new DumpSchedule { Frequency = 60, Begin = 0, Once = true }));

        using var agent = StartAgent(ServeArguments(controller, instance, keyFile));
        var exitCode = await agent.WaitForExitAsync(TimeSpan.FromSeconds(40));

        Assert.Multiple(async () =>
        {
            Assert.That(exitCode, Is.Zero, agent.AllOutput);
            Assert.That(agent.StandardOutput, Does.Contain("every 60 min, first after 0 min, once"));
            Assert.That(await RunsAsync(controller, instance), Has.Count.EqualTo(1));
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task An_invalid_cron_expression_stops_serve_with_a_clear_message()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance, Scheduled(new DumpSchedule { Cron = "every tuesday" }));

        var (exitCode, agent) = await RunAgentAsync(ServeArguments(controller, instance, keyFile));

        Assert.That(exitCode, Is.EqualTo(1), agent.AllOutput);
        Assert.That(agent.Output.Last(l => l.StartsWith("[stderr] error:", StringComparison.Ordinal)), Does.Contain("invalid cron expression 'every tuesday'"));
    }
}
