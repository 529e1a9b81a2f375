using Databacker.Api.Contracts;

namespace Databacker.Api.Server.Routing;

/// <summary>
/// Builds the discovery document an instance asks for first (<c>GET /engines/endpoints/{instance}</c>) in the API's own
/// URL layout: the configuration URL only when the account has scheduling, the reporting URLs only when it has
/// reporting, and the instance id escaped in every path. The agent trusts the origins the document names with its token,
/// so name only this deployment's own endpoints.
/// </summary>
public static class DiscoveryDocument
{
    /// <summary>How long an agent may cache the document when no lifetime is given: 5 minutes.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Creates the document for one instance.</summary>
    /// <param name="instance">The instance id.</param>
    /// <param name="services">The services the instance's account has.</param>
    /// <param name="orchestrationUrl">The base URL of the orchestration service, absolute (https, or http on loopback for tests).</param>
    /// <param name="reportingUrl">The base URL of the reporting service; <paramref name="orchestrationUrl"/> when null.</param>
    /// <param name="lifetime">How long the agent may cache the document; <see cref="DefaultLifetime"/> when null.</param>
    /// <returns>The document, to return from <c>GetEndpoints</c>.</returns>
    /// <exception cref="ArgumentException">A URL is not absolute, or carries a query or fragment.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lifetime"/> is negative or longer than <see cref="int.MaxValue"/> seconds.</exception>
    public static Endpoints Create(string instance, IEnumerable<ServiceName> services, Uri orchestrationUrl, Uri? reportingUrl = null, TimeSpan? lifetime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(instance);
        ArgumentNullException.ThrowIfNull(services);
        var orchestration = BaseUrl(orchestrationUrl, nameof(orchestrationUrl));
        var reporting = reportingUrl is null ? orchestration : BaseUrl(reportingUrl, nameof(reportingUrl));
        var seconds = (lifetime ?? DefaultLifetime).TotalSeconds;
        if (seconds is < 0 or > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "The lifetime must be between zero and int.MaxValue seconds.");
        }

        var enabled = services.Distinct().ToList();
        var id = Uri.EscapeDataString(instance);
        var document = new Endpoints { Services = enabled, OrchestrationUrl = orchestration, ExpiresIn = (int)seconds };
        if (enabled.Contains(ServiceName.Scheduling))
        {
            document.ConfigUrl = new Uri(orchestration, $"engines/config/{id}");
        }

        if (enabled.Contains(ServiceName.Reporting))
        {
            document.ReportingUrl = reporting;
            document.LogUrl = new Uri(reporting, $"engines/telemetry/{id}/log");
            document.EventsUrl = new Uri(reporting, $"engines/telemetry/{id}/events");
        }

        return document;
    }

    // A base URL ends with "/", so that the paths above go below it rather than replace its last segment.
    private static Uri BaseUrl(Uri url, string name)
    {
        ArgumentNullException.ThrowIfNull(url, name);
        if (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http") || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            throw new ArgumentException($"'{url}' is not an absolute http(s) base URL without query or fragment.", name);
        }

        return url.AbsolutePath.EndsWith('/') ? url : new Uri(url.GetLeftPart(UriPartial.Path) + "/");
    }
}
