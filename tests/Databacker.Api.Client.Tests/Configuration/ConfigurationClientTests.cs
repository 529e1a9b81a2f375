using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.Configuration;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Tests.Support;
using Databacker.Api.Contracts;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Databacker.Api.Client.Tests.Configuration;

[TestFixture]
public sealed class ConfigurationClientTests
{
    private const string ConfigPath = $"/engines/config/{Controller.InstanceId}";

    [Test]
    public async Task The_first_poll_returns_the_document_and_its_ETag_and_the_next_poll_with_it_returns_NotModified()
    {
        using var servers = new Servers();
        using var key = EcdsaKey.Generate();
        var controller = Controller.Start(servers);
        controller.Given(Request.Create().WithPath(ConfigPath).UsingGet().WithHeader("If-None-Match", "\"v1\""))
            .AtPriority(1).RespondWith(Response.Create().WithStatusCode(304).WithHeader("ETag", "\"v1\""));
        controller.Given(Request.Create().WithPath(ConfigPath).UsingGet())
            .AtPriority(2).RespondWith(Response.Create().WithStatusCode(200).WithHeader("ETag", "\"v1\"")
                .WithHeader("Content-Type", "application/vnd.databack.device-config.v1+json").WithBody(Controller.ConfigJson));
        var services = new ServiceCollection();
        services.AddDatabackerClient(o => Controller.Configure(o, controller, key));
        using var provider = services.BuildServiceProvider();
        var configuration = provider.GetRequiredService<ConfigurationClient>();

        var first = await configuration.GetConfigurationAsync();
        var second = await configuration.GetConfigurationAsync(first.ETag);

        var polls = controller.Requests(ConfigPath);
        Assert.Multiple(() =>
        {
            Assert.That(first.NotModified, Is.False);
            Assert.That(first.Document, Is.InstanceOf<RemoteConfig>());
            Assert.That(first.ETag, Is.EqualTo("\"v1\""));
            Assert.That(second.NotModified, Is.True);
            Assert.That(second.Document, Is.Null);
            Assert.That(second.ETag, Is.EqualTo("\"v1\""));
            Assert.That(polls.Select(p => p.Header("If-None-Match")), Is.EqualTo(new[] { null, "\"v1\"" }));
            Assert.That(polls.Select(p => p.Header("Authorization")), Is.All.EqualTo("Bearer tok-1"));
        });
    }

    [Test]
    public async Task Date_like_strings_among_unknown_members_are_read_exactly_as_sent()
    {
        using var servers = new Servers();
        using var key = EcdsaKey.Generate();
        var controller = Controller.Start(servers);
        controller.Given(Request.Create().WithPath(ConfigPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/vnd.databack.device-config.v1+json")
                .WithBody("""{"kind":"local","version":"config.databack.io/v1","metadata":{"name":"r","until":"2025-06-01T12:00:00+02:00"},"spec":{"threshold":1e30}}"""));
        var services = new ServiceCollection();
        services.AddDatabackerClient(o => Controller.Configure(o, controller, key));
        using var provider = services.BuildServiceProvider();

        var document = (await provider.GetRequiredService<ConfigurationClient>().GetConfigurationAsync()).Document;

        var local = (LocalConfig)document!;
        Assert.Multiple(() =>
        {
            Assert.That(local.Metadata!.AdditionalProperties["until"], Is.EqualTo("2025-06-01T12:00:00+02:00"), "a string, not a date read in another form");
            Assert.That(local.Spec!.AdditionalProperties["threshold"], Is.EqualTo(1e30), "a large number is read, as a double");
        });
    }

    [Test]
    public void Any_other_error_is_thrown_as_a_typed_exception()
    {
        using var servers = new Servers();
        using var key = EcdsaKey.Generate();
        var controller = Controller.Start(servers);
        controller.Given(Request.Create().WithPath(ConfigPath).UsingGet()).RespondWith(Response.Create().WithStatusCode(403)
            .WithHeader("Content-Type", "application/problem+json").WithBody("""{"title":"Forbidden","status":403}"""));
        using var client = new DatabackerClientBuilder(Controller.Options(controller, key)).Build();

        var ex = Assert.ThrowsAsync<DatabackerApiException<Problem>>(() => client.Configuration.GetConfigurationAsync("\"v0\""));

        Assert.That(ex!.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Forbidden));
    }

    [Test]
    public void A_304_to_a_first_fetch_is_an_error_not_an_empty_configuration()
    {
        using var servers = new Servers();
        using var key = EcdsaKey.Generate();
        var controller = Controller.Start(servers);
        controller.Given(Request.Create().WithPath(ConfigPath).UsingGet()).RespondWith(Response.Create().WithStatusCode(304));
        using var client = new DatabackerClientBuilder(Controller.Options(controller, key)).Build();

        var ex = Assert.CatchAsync<DatabackerApiException>(() => client.Configuration.GetConfigurationAsync());

        Assert.That(ex!.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.NotModified));
    }
}
