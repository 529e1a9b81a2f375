using Databacker.Api.Client;
using Databacker.Api.Contracts;
using Databacker.Samples.Hosting;

namespace Databacker.Samples.Tests;

public sealed class FullStoryTests : EndToEndTest
{
    [Test, CancelAfter(60_000)]
    public async Task Keygen_register_configure_and_run_leave_a_succeeded_run_with_every_phase_on_the_controller()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance);

        var (exitCode, agent) = await RunBackupAsync(controller.Url, instance, keyFile);

        Assert.That(exitCode, Is.Zero, agent.AllOutput);
        var run = (await RunsAsync(controller, instance)).Single();
        var types = run.Events.Select(e => e.Type.Value).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(run.Status, Is.EqualTo(RunStatus.Succeeded));
            Assert.That(run.Databases, Is.EquivalentTo(new[] { "orders", "customers" }));
            Assert.That(run.Targets, Is.EquivalentTo(new[] { "s3", "local" }));
            Assert.That(run.Bytes, Is.GreaterThan(0));
            Assert.That(types.First(), Is.EqualTo("run-started"));
            Assert.That(types.Last(), Is.EqualTo("run-succeeded"));
            Assert.That(types.Count(t => t == "pre-backup-script-finished"), Is.EqualTo(1));
            Assert.That(types.Count(t => t == "dump-finished"), Is.EqualTo(2));
            Assert.That(types.Count(t => t == "upload-finished"), Is.EqualTo(2));
            Assert.That(run.Events.Where(e => e.Type.Value.EndsWith("-finished", StringComparison.Ordinal)).Select(e => e.DurationMs), Has.All.Not.Null);
            Assert.That(run.Events.Select(e => e.Id), Is.Unique);
        });
    }

    [Test, CancelAfter(60_000)]
    [Platform(Exclude = "Win", Reason = "Unix file modes")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Secrets_at_rest_are_readable_by_their_owner_only()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance);

        var (exitCode, agent) = await RunBackupAsync(controller.Url, instance, keyFile);

        const UnixFileMode ownerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        const UnixFileMode ownerDirectory = ownerFile | UnixFileMode.UserExecute;
        var spool = Path.Combine(Work, "spool-" + instance);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, agent.AllOutput);
            Assert.That(File.GetUnixFileMode(Path.Combine(spool, "config.json")), Is.EqualTo(ownerFile), "the cached configuration holds the credentials");
            Assert.That(File.GetUnixFileMode(spool), Is.EqualTo(ownerDirectory));
            Assert.That(File.GetUnixFileMode(keyFile), Is.EqualTo(ownerFile));
            Assert.That(File.GetUnixFileMode(controller.DataDirectory), Is.EqualTo(ownerDirectory), "the controller's database holds every configuration");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_run_cursor_pointing_past_the_end_of_time_is_a_400_not_a_500()
    {
        var controller = await StartControllerAsync();
        var (instance, _) = await RegisterAsync(controller, "orders-db");
        var cursor = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("4000000000000000000|00000000-0000-0000-0000-000000000000"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var admin = AdminApi.Create(controller.BaseUrl, controller.AdminToken);

        var error = Assert.CatchAsync<Databacker.Api.Client.Exceptions.DatabackerApiException>(() => admin.Client.ListRunsAsync(instance, cursor: cursor));

        Assert.That(error!.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.BadRequest), error.Message);
    }

    [Test, CancelAfter(60_000)]
    public async Task The_run_log_reaches_the_controller_complete_in_order_and_without_any_secret()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance);

        var (exitCode, agent) = await RunBackupAsync(controller.Url, instance, keyFile);

        Assert.That(exitCode, Is.Zero, agent.AllOutput);
        var run = (await RunsAsync(controller, instance)).Single();
        var log = await LogAsync(controller, instance, run.Id);
        var text = string.Join('\n', log.Select(l => l.Message));
        var reported = text + string.Join('\n', run.Events.Select(e => $"{e.Error} {e.Target} {e.Database} {e.Script}"));
        string[] textLines;
        using (var admin = AdminApi.Create(controller.BaseUrl, controller.AdminToken))
        using (var response = await admin.Client.GetRunLogTextAsync(instance, run.Id))
        {
            textLines = (await new StreamReader(response.Stream).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }

        Assert.Multiple(() =>
        {
            Assert.That(textLines, Has.Length.EqualTo(log.Count), "the text form has one line per entry");
            Assert.That(textLines.Zip(log).All(p => p.First.EndsWith(p.Second.Message.ReplaceLineEndings(" "), StringComparison.Ordinal)), Is.True, string.Join('\n', textLines.Take(5)));
            Assert.That(log.Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, log.Count).Select(i => (long)i)), "seq from 0 without gaps");
            Assert.That(text, Does.Contain("db.internal:3306"), "the log names the database server");
            Assert.That(text, Does.Contain("https://[REDACTED]@minio.internal:9000"), "the URL with credentials is logged, redacted");
            foreach (var secret in DemoConfiguration.Secrets)
            {
                Assert.That(reported, Does.Not.Contain(secret));
                Assert.That(agent.AllOutput, Does.Not.Contain(secret), "the agent's console output");
            }
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_second_run_is_served_the_cached_configuration_by_ETag_and_a_changed_one_is_fetched()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance);
        var (first, firstAgent) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);
        Assert.That(first, Is.Zero, firstAgent.AllOutput);

        var (second, secondAgent) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);
        await ConfigureAsync(controller, instance, DemoConfiguration.Create("orders-db hourly"));
        var (third, thirdAgent) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.Zero, secondAgent.AllOutput);
            Assert.That(secondAgent.StandardOutput, Does.Contain("configuration unchanged"));
            Assert.That(third, Is.Zero, thirdAgent.AllOutput);
            Assert.That(thirdAgent.StandardOutput, Does.Contain("fetched configuration 'orders-db hourly'"));
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task An_instance_without_scheduling_is_told_so_instead_of_being_sent_a_configuration()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db", "reporting");
        await ConfigureAsync(controller, instance);

        var (exitCode, agent) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);

        var (assertion, tokenEndpoint) = await AgentTokens.CreateAssertionAsync(controller.BaseUrl, instance, keyFile);
        var (_, token, _) = await AgentTokens.ExchangeAsync(tokenEndpoint, assertion);
        var asked = await AgentTokens.GetConfigStatusAsync(controller.BaseUrl, instance, token!);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1), agent.AllOutput);
            Assert.That(agent.StandardOutput, Does.Contain("discovered: services [reporting]"));
            Assert.That(agent.Output.Last(l => l.StartsWith("[stderr] error:", StringComparison.Ordinal)), Does.Contain("scheduling is not enabled for this instance"));
            Assert.That(asked, Is.EqualTo(403), "the controller does not hand it a configuration either");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task An_instance_without_scheduling_runs_its_local_configuration_and_still_reports_to_the_controller()
    {
        // The spec's reporting-only mode: the controller does not schedule the instance, it only receives its reports.
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db", "reporting");
        var localFile = Path.Combine(Work, "local-config.json");
        File.WriteAllText(localFile, Newtonsoft.Json.JsonConvert.SerializeObject(DemoConfiguration.Create("orders-db local")));

        var (exitCode, agent) = await RunAgentAsync([.. RunArguments(controller.Url, instance, keyFile, 0), "--config", localFile]);

        var run = (await RunsAsync(controller, instance)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, agent.AllOutput);
            Assert.That(agent.StandardOutput, Does.Contain("using the local configuration 'orders-db local'"));
            Assert.That(run.Status, Is.EqualTo(RunStatus.Succeeded), "reported to the controller");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_target_of_an_unknown_type_fails_the_run_with_exit_code_1_and_a_failed_run_on_the_controller()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        var configuration = DemoConfiguration.Create();
        configuration.Spec.Targets!["s3"].Type = new TargetType("tape");
        await ConfigureAsync(controller, instance, configuration);

        var (exitCode, agent) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);

        var run = (await RunsAsync(controller, instance)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1), agent.AllOutput);
            Assert.That(agent.AllOutput, Does.Contain("error: the run failed: target 's3' has an unsupported type 'tape'"));
            Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
            Assert.That(run.Events.Single(e => e.Type == EventType.UploadFinished && e.Target == "s3").Error, Does.Contain("unsupported type"));
        });
    }
}
