using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using WireMock.Server;

namespace Databacker.Api.Client.Tests.Support;

/// <summary>
/// Base of the fixtures that talk to WireMock controllers: fresh servers and a fresh instance key per test,
/// both disposed after it.
/// </summary>
public abstract class ControllerTestBase
{
    /// <summary>The WireMock servers started by the current test.</summary>
    protected Servers TestServers { get; private set; } = null!;

    /// <summary>The instance key of the current test.</summary>
    protected EcdsaKey Key { get; private set; } = null!;

    /// <summary>
    /// A container with <c>AddDatabackerClient</c> pointed at <paramref name="controller"/> with the test's key
    /// (<see cref="Controller.Configure"/>), then <paramref name="tweak"/> on the options and <paramref name="more"/> on the services.
    /// </summary>
    protected ServiceProvider ClientProvider(WireMockServer controller, Action<DatabackerClientOptions>? tweak = null, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddDatabackerClient(o =>
        {
            Controller.Configure(o, controller, Key);
            tweak?.Invoke(o);
        });
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// A container with <c>AddDatabackerAdministrationClient</c> alone pointed at <paramref name="controller"/>, calling
    /// with <paramref name="userToken"/>, retries 1 ms apart, then <paramref name="tweak"/> and <paramref name="more"/>
    /// (the latter before the registration).
    /// </summary>
    protected static ServiceProvider AdministrationProvider(
        WireMockServer controller, string userToken, Action<DatabackerClientOptions>? tweak = null, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        more?.Invoke(services);
        services.AddDatabackerAdministrationClient(o =>
        {
            o.Controller = controller.Uri();
            o.UserTokens = new Databacker.Api.Client.Authentication.StaticUserTokenSource(userToken);
            o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
            tweak?.Invoke(o);
        });
        return services.BuildServiceProvider();
    }

    [SetUp]
    public void CreateServersAndKey()
    {
        TestServers = new Servers();
        Key = EcdsaKey.Generate();
    }

    [TearDown]
    public void DisposeServersAndKey()
    {
        TestServers.Dispose();
        Key.Dispose();
    }
}
