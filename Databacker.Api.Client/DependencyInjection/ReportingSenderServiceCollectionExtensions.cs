using Databacker.Api.Client.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>Registers the <see cref="ReportingSender"/> next to the clients of <c>AddDatabackerClient</c>.</summary>
public static class ReportingSenderServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="ReportingSender"/> for the configured instance, sending through the
    /// registered <see cref="IReportingClient"/>; set <see cref="ReportingSenderOptions.SpoolDirectory"/> for the
    /// durable outbox. Call after <c>AddDatabackerClient</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the spool directory, size limit and policy.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The services hold an administration-only registration
    /// (<c>AddDatabackerAdministrationClient</c>), which has no reporting client and no instance; that registration
    /// refuses a reporting sender added before it likewise.</exception>
    public static IServiceCollection AddDatabackerReportingSender(this IServiceCollection services, Action<ReportingSenderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (DatabackerClientRegistration.Find(services) is { Agent: false })
        {
            throw NeedsAgentClients();
        }

        services.AddOptions<ReportingSenderOptions>()
            .Configure(configure ?? (_ => { }))
            .Validate(
                o =>
                {
                    try
                    {
                        o.Validate();
                        return true;
                    }
                    catch (ArgumentException)
                    {
                        return false;
                    }
                },
                "ReportingSenderOptions are out of range: MaxSpoolBytes at least 64 KiB, RetryDelay not negative, SpoolDirectory null or a path.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new ReportingSender(
            sp.GetRequiredService<IReportingClient>(),
            sp.GetRequiredService<IOptions<DatabackerClientOptions>>().Value.InstanceId!,
            sp.GetRequiredService<IOptions<ReportingSenderOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<ReportingSender>>()));
        return services;
    }

    /// <summary>A <see cref="ReportingSender"/> for a client built with <see cref="DatabackerClientBuilder"/>.</summary>
    /// <param name="client">The built client.</param>
    /// <param name="instanceId">This instance's id.</param>
    /// <param name="configure">Sets the spool directory, size limit and policy.</param>
    /// <returns>The sender.</returns>
    public static ReportingSender CreateReportingSender(this DatabackerClient client, string instanceId, Action<ReportingSenderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var options = new ReportingSenderOptions();
        configure?.Invoke(options);
        return new ReportingSender(client.Reporting, instanceId, options);
    }

    internal static InvalidOperationException NeedsAgentClients() => new(
        "The reporting sender reports for an instance, through the agent's reporting client: register the clients with AddDatabackerClient (with the instance id and key), not AddDatabackerAdministrationClient.");
}
