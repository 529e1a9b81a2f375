using Microsoft.Extensions.DependencyInjection;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>
/// Marks a service collection in which the client SDK was registered, and how: a second registration then adds only
/// its options configuration instead of stacking a second pipeline (retries within retries) onto the same clients.
/// </summary>
/// <param name="agent">
/// <see langword="true"/> for <c>AddDatabackerClient</c> (every client, with the instance's identity);
/// <see langword="false"/> for <c>AddDatabackerAdministrationClient</c> (the administration client only).
/// </param>
internal sealed class DatabackerClientRegistration(bool agent)
{
    /// <summary>Whether every client was registered, with the instance's identity.</summary>
    public bool Agent { get; } = agent;

    /// <summary>The named clients this registration configures.</summary>
    public IReadOnlyList<string> ClientNames { get; } = agent ? DatabackerClientNames.All : [DatabackerClientNames.Administration];

    /// <summary>The registration already made in <paramref name="services"/>, if any.</summary>
    public static DatabackerClientRegistration? Find(IServiceCollection services) =>
        services.LastOrDefault(d => d.ServiceType == typeof(DatabackerClientRegistration))?.ImplementationInstance as DatabackerClientRegistration;
}
