using System.Diagnostics.Metrics;
using System.Net;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.Configuration;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Diagnostics;
using Databacker.Api.Client.Discovery;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.Tests.DependencyInjection;

[TestFixture]
public sealed class AddDatabackerClientTests : ControllerTestBase
{
    private ServiceProvider Provider(Action<IServiceCollection>? more = null, Action<DatabackerClientOptions>? tweak = null)
    {
        var server = TestServers.Start();
        return Provider(server, more, tweak);
    }

    private ServiceProvider Provider(WireMock.Server.WireMockServer server, Action<IServiceCollection>? more = null, Action<DatabackerClientOptions>? tweak = null) =>
        ClientProvider(server, tweak, more);

    [Test]
    public void Every_typed_client_and_helper_resolves_and_the_shared_services_are_singletons()
    {
        using var provider = Provider();
        using var scope = provider.CreateScope();
        var scoped = scope.ServiceProvider;

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<IOrchestrationClient>(), Is.InstanceOf<OrchestrationClient>());
            Assert.That(provider.GetRequiredService<IReportingClient>(), Is.InstanceOf<ReportingClient>());
            Assert.That(provider.GetRequiredService<IAdministrationClient>(), Is.InstanceOf<AdministrationClient>());
            Assert.That(provider.GetRequiredService<IAuthClient>(), Is.InstanceOf<AuthClient>());
            Assert.That(provider.GetRequiredService<ConfigurationClient>(), Is.Not.Null);
            Assert.That(scoped.GetRequiredService<IEndpointDiscovery>(), Is.SameAs(provider.GetRequiredService<IEndpointDiscovery>()));
            Assert.That(scoped.GetRequiredService<RouteTable>(), Is.SameAs(provider.GetRequiredService<RouteTable>()));
            Assert.That(scoped.GetRequiredService<TrustedOriginRegistry>(), Is.SameAs(provider.GetRequiredService<TrustedOriginRegistry>()));
            Assert.That(scoped.GetRequiredService<AccessTokenProvider>(), Is.SameAs(provider.GetRequiredService<AccessTokenProvider>()));
            Assert.That(provider.GetRequiredService<IClientAssertionProvider>(), Is.InstanceOf<InstanceKeyAssertionProvider>());
        });
    }

    [Test]
    public async Task A_call_fetches_a_token_with_an_assertion_signed_by_the_instance_key_and_sends_it_as_bearer()
    {
        var server = Controller.Start(TestServers);
        Controller.ServeEndpoints(server, $$"""{"services":["scheduling"],"orchestrationUrl":"{{server.Url127()}}/"}""");
        using var provider = Provider(server);
        provider.GetRequiredService<IStartupValidator>().Validate();

        var endpoints = await provider.GetRequiredService<IOrchestrationClient>().GetEndpointsAsync(Controller.InstanceId);

        var call = server.Requests($"/engines/endpoints/{Controller.InstanceId}").Single();
        var (header, claims) = Controller.VerifyEs256(Controller.PostedAssertion(server), Key.ExportSubjectPublicKeyInfoPem());
        Assert.Multiple(() =>
        {
            Assert.That(endpoints.OrchestrationUrl, Is.EqualTo(new Uri(server.Url127() + "/")));
            Assert.That(call.Header("Authorization"), Is.EqualTo("Bearer tok-1"));
            Assert.That(call.Header("Accept"), Is.EqualTo("application/vnd.databack.endpoints.v1+json"));
            Assert.That(header.GetProperty("typ").GetString(), Is.EqualTo("client-authentication+jwt"));
            Assert.That(header.GetProperty("alg").GetString(), Is.EqualTo("ES256"));
            Assert.That(header.GetProperty("kid").GetString(), Is.EqualTo(Key.KeyId));
            Assert.That(claims.GetProperty("iss").GetString(), Is.EqualTo(Controller.InstanceId));
            Assert.That(claims.GetProperty("sub").GetString(), Is.EqualTo(Controller.InstanceId));
            Assert.That(claims.GetProperty("aud").GetString(), Is.EqualTo(server.Url127()), "the audience is the issuer from the metadata");
            Assert.That(claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64(), Is.InRange(1, 60));
            Assert.That(claims.GetProperty("jti").GetString(), Is.Not.Empty);
        });
    }

    [Test]
    public void Start_up_fails_when_a_user_configured_primary_handler_follows_redirects()
    {
        using var provider = Provider(services => services.AddHttpClient(DatabackerClientNames.Reporting)
            .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { AllowAutoRedirect = true }));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain(DatabackerClientNames.Reporting).And.Contain("AllowAutoRedirect"));
    }

    [Test]
    public void Start_up_fails_when_the_options_primary_handler_follows_redirects()
    {
        using var provider = Provider(tweak: o => o.PrimaryHandler = () => new SocketsHttpHandler { AllowAutoRedirect = true });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain("AllowAutoRedirect"));
    }

    [Test]
    public void Resolving_a_client_over_a_redirecting_primary_handler_fails_even_without_start_up_validation()
    {
        using var provider = Provider(services => services.AddHttpClient(DatabackerClientNames.Orchestration)
            .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { AllowAutoRedirect = true }));

        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOrchestrationClient>());
    }

    [Test]
    public void Start_up_fails_with_the_options_messages_when_the_controller_is_missing()
    {
        using var provider = Provider(tweak: o => o.Controller = null);

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Failures, Has.Some.StartsWith("Controller is required"));
    }

    [Test]
    public async Task Requests_redirects_and_token_fetches_are_counted_on_the_Databacker_meter()
    {
        var server = Controller.Start(TestServers);
        server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/old/engines/endpoints/i-1"))
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(301).WithHeader("Location", $"{server.Url127()}/engines/endpoints/i-1"));
        Controller.ServeEndpoints(server, $$"""{"services":[],"orchestrationUrl":"{{server.Url127()}}/"}""");
        var counts = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DatabackerClientDiagnostics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            // Other tests run in parallel processes only, but keep to this server's port to be safe.
            lock (counts)
            {
                counts[instrument.Name] = counts.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();
        using var provider = Provider(server, tweak: o =>
        {
            o.Controller = server.Uri("/old/");
            o.Token.Issuer = server.Uri();
        });

        await provider.GetRequiredService<IOrchestrationClient>().GetEndpointsAsync(Controller.InstanceId);

        Assert.Multiple(() =>
        {
            Assert.That(counts.GetValueOrDefault("databacker.client.requests"), Is.GreaterThanOrEqualTo(2), "the 301 hop and the final request");
            Assert.That(counts.GetValueOrDefault("databacker.client.redirects"), Is.GreaterThanOrEqualTo(1));
            Assert.That(counts.GetValueOrDefault("databacker.client.token_fetches"), Is.GreaterThanOrEqualTo(1));
        });
    }
}
