using System.Net;
using Databacker.Api.Contracts;

namespace Databacker.Samples.Tests;

public sealed class PartialEndpointTests : EndToEndTest
{
    [Test, CancelAfter(80_000)]
    public async Task An_agent_of_an_orchestration_only_controller_reports_to_the_reporting_only_one_discovery_names()
    {
        var data = Path.Combine(Work, "shared-data");
        var orchestrationPort = Hosting.SampleController.FreePort();
        var reportingPort = Hosting.SampleController.FreePort();
        var orchestrationUrl = $"http://127.0.0.1:{orchestrationPort}";
        var reportingUrl = $"http://127.0.0.1:{reportingPort}";
        var orchestration = await StartControllerAsync(
            "orchestration", ["--tags", "Orchestration,Auth,Administration", "--tag-location", $"Reporting={reportingUrl}"], data, orchestrationPort);
        var reporting = await StartControllerAsync(
            "reporting",
            ["--tags", "Reporting", "--tag-location", $"Orchestration={orchestrationUrl}", "--tag-location", $"Auth={orchestrationUrl}", "--tag-location", $"Administration={orchestrationUrl}"],
            data,
            reportingPort);
        var (instance, keyFile) = await RegisterAsync(orchestration, "orders-db");
        await ConfigureAsync(orchestration, instance);

        var (exitCode, agent) = await RunBackupAsync(orchestration.Url, instance, keyFile, workScale: 0);

        Assert.That(exitCode, Is.Zero, agent.AllOutput);
        Assert.That(agent.StandardOutput, Does.Contain($"reporting {reportingUrl}/"), "discovery names the reporting-only controller");
        var run = (await RunsAsync(orchestration, instance)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(run.Status, Is.EqualTo(RunStatus.Succeeded));
            Assert.That(run.Events, Has.Count.GreaterThanOrEqualTo(8));
        });
        Assert.That(reporting.Process.HasExited, Is.False);
    }

    [Test, CancelAfter(80_000)]
    public async Task An_agent_given_only_its_controller_gets_its_token_from_the_auth_endpoint_the_controller_moved_it_to()
    {
        // The spec: an agent is configured with the orchestration endpoint alone; here the Auth tag lives elsewhere.
        var data = Path.Combine(Work, "shared-data");
        var controllerPort = Hosting.SampleController.FreePort();
        var authPort = Hosting.SampleController.FreePort();
        var controllerUrl = $"http://127.0.0.1:{controllerPort}";
        var authUrl = $"http://127.0.0.1:{authPort}";
        var controller = await StartControllerAsync(
            "controller", ["--tags", "Orchestration,Reporting,Administration", "--tag-location", $"Auth={authUrl}"], data, controllerPort);
        await StartControllerAsync(
            "auth",
            ["--tags", "Auth", "--tag-location", $"Orchestration={controllerUrl}", "--tag-location", $"Reporting={controllerUrl}", "--tag-location", $"Administration={controllerUrl}"],
            data,
            authPort);
        var (instance, keyFile) = await RegisterAsync(controller, "orders-db");
        await ConfigureAsync(controller, instance);

        var (exitCode, agent) = await RunBackupAsync(controller.Url, instance, keyFile, workScale: 0);

        Assert.That(exitCode, Is.Zero, agent.AllOutput);
        Assert.That((await RunsAsync(controller, instance)).Single().Status, Is.EqualTo(RunStatus.Succeeded));
    }

    [Test, CancelAfter(60_000)]
    public async Task An_orchestration_only_controller_answers_reporting_calls_with_a_301_to_the_reporting_controller()
    {
        var reportingUrl = $"http://127.0.0.1:{Hosting.SampleController.FreePort()}";
        var orchestration = await StartControllerAsync("orchestration", ["--tags", "Orchestration,Auth,Administration", "--tag-location", $"Reporting={reportingUrl}"]);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var response = await http.PostAsync(
            new Uri(orchestration.BaseUrl, "engines/telemetry/orders-db/events"),
            new StringContent("""{"events":[]}""", System.Text.Encoding.UTF8, "application/vnd.databack.event-batch.v1+json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MovedPermanently));
        Assert.That(response.Headers.Location?.ToString(), Does.StartWith(reportingUrl + "/engines/telemetry/orders-db/events"));
    }
}
