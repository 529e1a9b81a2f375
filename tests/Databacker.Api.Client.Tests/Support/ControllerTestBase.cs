using Databacker.Api.Auth.Keys;

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
