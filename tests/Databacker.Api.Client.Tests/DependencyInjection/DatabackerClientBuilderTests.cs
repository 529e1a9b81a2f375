using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.Tests.DependencyInjection;

[TestFixture]
public sealed class DatabackerClientBuilderTests
{
    [Test]
    public async Task The_builder_without_DI_gives_clients_that_authenticate_and_route_reporting_by_discovery()
    {
        using var servers = new Servers();
        using var key = EcdsaKey.Generate();
        var controller = Controller.Start(servers);
        var reporting = servers.Start();
        Controller.ServeEndpoints(controller, $$"""{"services":["reporting"],"orchestrationUrl":"{{controller.Url127()}}/","reportingUrl":"{{reporting.Url127()}}/"}""");
        Controller.ServeEvents(reporting);

        await using var client = new DatabackerClientBuilder(o =>
        {
            o.Controller = controller.Uri();
            o.InstanceId = Controller.InstanceId;
            o.Key = key;
        }).Build();
        var receipt = await client.Reporting.PostEventsAsync(Controller.OneEvent(), Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(receipt.Accepted, Is.EqualTo(1));
            Assert.That(reporting.Requests($"/engines/telemetry/{Controller.InstanceId}/events").Select(r => r.Header("Authorization")),
                Is.EqualTo(new[] { "Bearer tok-2" }), "tok-1 is the orchestration token discovery used");
            Assert.That(client.Orchestration, Is.InstanceOf<OrchestrationClient>());
            Assert.That(client.Administration, Is.InstanceOf<AdministrationClient>());
            Assert.That(client.Auth, Is.InstanceOf<AuthClient>());
        });
    }

    [Test]
    public async Task Options_built_twice_for_two_controllers_authenticate_each_client_with_its_own_controller()
    {
        using var servers = new Servers();
        using var key = EcdsaKey.Generate();
        var first = Controller.Start(servers);
        var second = Controller.Start(servers);
        foreach (var controller in new[] { first, second })
        {
            Controller.ServeEndpoints(controller, $$"""{"services":["scheduling"],"orchestrationUrl":"{{controller.Url127()}}/"}""");
        }

        var options = new DatabackerClientOptions { Controller = first.Uri(), InstanceId = Controller.InstanceId, Key = key };
        await using (var client = new DatabackerClientBuilder(options).Build())
        {
            await client.Orchestration.GetEndpointsAsync(Controller.InstanceId);
        }

        options.Controller = second.Uri();
        await using (var client = new DatabackerClientBuilder(options).Build())
        {
            await client.Orchestration.GetEndpointsAsync(Controller.InstanceId);
        }

        Assert.Multiple(() =>
        {
            Assert.That(options.Token.Issuer, Is.Null, "the caller's options keep what the caller set");
            Assert.That(TokenServer.TokenRequests(first), Is.EqualTo(1));
            Assert.That(TokenServer.TokenRequests(second), Is.EqualTo(1), "the second client asks its own controller for its token");
        });
    }

    [Test]
    public void Build_fails_with_every_options_message_at_once()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new DatabackerClientBuilder(new DatabackerClientOptions()).Build());

        Assert.That(ex!.Failures, Has.Some.StartsWith("Controller is required")
            .And.Some.StartsWith("InstanceId is required")
            .And.Some.StartsWith("A key is required"));
    }

    [Test]
    public void Build_fails_when_the_primary_handler_follows_redirects()
    {
        using var key = EcdsaKey.Generate();
        var options = new DatabackerClientOptions
        {
            Controller = new Uri("https://controller.example.com/"),
            InstanceId = "i-1",
            Key = key,
            PrimaryHandler = () => new HttpClientHandler { AllowAutoRedirect = true },
        };

        var ex = Assert.Throws<OptionsValidationException>(() => new DatabackerClientBuilder(options).Build());

        Assert.That(ex!.Message, Does.Contain("AllowAutoRedirect"));
    }
}
