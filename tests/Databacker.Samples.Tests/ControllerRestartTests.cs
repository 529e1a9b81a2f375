using Databacker.Api.Contracts;

namespace Databacker.Samples.Tests;

public sealed class ControllerRestartTests : EndToEndTest
{
    [Test, CancelAfter(80_000)]
    public async Task After_a_controller_restart_the_agent_runs_again_with_its_instance_data_and_configuration_ETag_intact()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance);
        var (first, firstAgent) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);
        Assert.That(first, Is.Zero, firstAgent.AllOutput);

        controller.Stop();
        await controller.StartAsync(StartTimeout);
        var (second, secondAgent) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);

        Assert.That(second, Is.Zero, secondAgent.AllOutput);
        Assert.That(secondAgent.StandardOutput, Does.Contain("configuration unchanged"), "the stored configuration and its ETag survived");
        var runs = await RunsAsync(controller, instance);
        Assert.That(runs.Select(r => r.Status), Is.EqualTo(new[] { RunStatus.Succeeded, RunStatus.Succeeded }), "both runs, the one from before the restart too");
    }

    [Test, CancelAfter(60_000)]
    public async Task A_token_issued_before_a_restart_is_still_accepted_and_a_used_assertion_is_still_refused()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance);
        var (assertion, tokenEndpoint) = await AgentTokens.CreateAssertionAsync(controller.BaseUrl, instance, keyFile);
        var (status, token, body) = await AgentTokens.ExchangeAsync(tokenEndpoint, assertion);
        Assert.That(status, Is.EqualTo(200), body);

        controller.Stop();
        await controller.StartAsync(StartTimeout);

        Assert.Multiple(async () =>
        {
            Assert.That(await AgentTokens.GetConfigStatusAsync(controller.BaseUrl, instance, token!), Is.EqualTo(200), "the token signing key survived");
            var (replayStatus, _, replayBody) = await AgentTokens.ExchangeAsync(tokenEndpoint, assertion);
            Assert.That(replayStatus, Is.AnyOf(400, 401), "the replay cache survived");
            Assert.That(replayBody, Does.Contain("invalid_client"));
            var (fresh, _) = await AgentTokens.CreateAssertionAsync(controller.BaseUrl, instance, keyFile);
            var (freshStatus, _, freshBody) = await AgentTokens.ExchangeAsync(tokenEndpoint, fresh);
            Assert.That(freshStatus, Is.EqualTo(200), "the control: a new assertion from the same key is accepted. " + freshBody);
        });
    }

    [Test, CancelAfter(80_000)]
    public async Task Reports_of_a_run_made_while_the_controller_was_down_are_spooled_and_delivered_first_on_the_next_run()
    {
        var controller = await StartControllerAsync();
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance);
        var (first, firstAgent) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);
        Assert.That(first, Is.Zero, firstAgent.AllOutput);

        controller.Stop();
        var (offline, offlineAgent) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);
        await controller.StartAsync(StartTimeout);
        var (third, thirdAgent) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);

        Assert.That(offline, Is.Zero, offlineAgent.AllOutput);
        Assert.That(offlineAgent.AllOutput, Does.Contain("running with the cached configuration"));
        Assert.That(third, Is.Zero, thirdAgent.AllOutput);
        Assert.That(thirdAgent.StandardOutput, Does.Match(@"delivered [1-9]\d* spooled report\(s\) from earlier runs"));
        var runs = await RunsAsync(controller, instance);
        Assert.Multiple(() =>
        {
            Assert.That(runs, Has.Count.EqualTo(3));
            Assert.That(runs.Select(r => r.Status), Has.All.EqualTo(RunStatus.Succeeded));
            Assert.That(runs.SelectMany(r => r.Events).Select(e => e.Id), Is.Unique);
        });
    }
}
