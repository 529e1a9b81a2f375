using System.Net;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Auth.Keys;

namespace Databacker.Samples.Tests;

public sealed class InstanceIsolationTests : EndToEndTest
{
    [Test, CancelAfter(60_000)]
    public async Task A_second_instance_cannot_read_the_first_instances_configuration()
    {
        var controller = await StartControllerAsync();
        var (first, _) = await RegisterAsync(controller, "orders-db");
        var (second, secondKey) = await RegisterAsync(controller, "billing-db");
        await ConfigureAsync(controller, first);
        await ConfigureAsync(controller, second);
        await using var client = new DatabackerClientBuilder(o =>
        {
            o.Controller = controller.BaseUrl;
            o.InstanceId = second;
            o.KeySource = new PemFileKeySource(secondKey);
        }).Build();

        var own = await client.Orchestration.GetConfigAsync(second);
        var error = Assert.CatchAsync<DatabackerApiException>(() => client.Orchestration.GetConfigAsync(first));

        Assert.That(own.StatusCode, Is.EqualTo(200), "the control: its own configuration is readable");
        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test, CancelAfter(60_000)]
    public async Task An_agent_cannot_run_as_another_instance_with_its_own_key()
    {
        var controller = await StartControllerAsync();
        var (first, _) = await RegisterAsync(controller, "orders-db");
        var (_, secondKey) = await RegisterAsync(controller, "billing-db");
        await ConfigureAsync(controller, first);

        var (exitCode, agent) = await RunBackupAsync(controller.Url, first, secondKey, workScale: 0);

        Assert.That(exitCode, Is.EqualTo(1), agent.AllOutput);
        Assert.That(agent.AllOutput, Does.Contain("invalid_client").Or.Contain("401"));
        Assert.That(await RunsAsync(controller, first), Is.Empty);
    }
}
