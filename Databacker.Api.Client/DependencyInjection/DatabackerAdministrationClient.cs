using Databacker.Api.Client.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>
/// The administration client built by <see cref="DatabackerClientBuilder.BuildAdministrationClient"/>, for a tool that
/// administers instances without being one. Thread-safe; keep one for the life of the tool and dispose it at the end.
/// </summary>
public sealed class DatabackerAdministrationClient : IDisposable, IAsyncDisposable
{
    private readonly ServiceProvider _services;

    internal DatabackerAdministrationClient(ServiceProvider services)
    {
        _services = services;
        Administration = services.GetRequiredService<IAdministrationClient>();
        Routes = services.GetRequiredService<RouteTable>();
    }

    /// <summary>Instance administration, with the end user's token of <see cref="DatabackerClientOptions.UserTokens"/>.</summary>
    public IAdministrationClient Administration { get; }

    /// <summary>The remembered permanent moves; <see cref="RouteTable.Clear"/> forgets them.</summary>
    public RouteTable Routes { get; }

    /// <inheritdoc />
    public void Dispose() => _services.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
