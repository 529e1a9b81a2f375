using Databacker.Api.Contracts;

namespace Databacker.Api.Client.Discovery;

/// <summary>A discovery document as fetched, with the time it stops being used.</summary>
public sealed class DiscoveredEndpoints
{
    /// <summary>Creates the value.</summary>
    /// <param name="document">The document the controller returned.</param>
    /// <param name="fetchedAt">When it was fetched.</param>
    /// <param name="expiresAt">When it must be fetched again.</param>
    public DiscoveredEndpoints(Endpoints document, DateTimeOffset fetchedAt, DateTimeOffset expiresAt)
    {
        Document = document ?? throw new ArgumentNullException(nameof(document));
        FetchedAt = fetchedAt;
        ExpiresAt = expiresAt;
    }

    /// <summary>The document the controller returned.</summary>
    public Endpoints Document { get; }

    /// <summary>When it was fetched.</summary>
    public DateTimeOffset FetchedAt { get; }

    /// <summary>The number of the <see cref="EndpointDiscovery"/> fetch that brought it (0 when made elsewhere): a refresh
    /// after this document failed needs a fetch begun after it.</summary>
    internal long FetchNumber { get; init; }

    /// <summary>When it must be fetched again.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Whether reporting is enabled: listed in <c>services</c> and at least one reporting URL given.</summary>
    public bool IsReportingEnabled =>
        IsEnabled(ServiceName.Reporting) && (Document.ReportingUrl is not null || Document.LogUrl is not null || Document.EventsUrl is not null);

    /// <summary>Whether <paramref name="service"/> is listed in the document's <c>services</c>.</summary>
    /// <param name="service">The service.</param>
    /// <returns><see langword="true"/> when listed.</returns>
    public bool IsEnabled(ServiceName service) => Document.Services?.Contains(service) == true;

    /// <summary>
    /// Where a reporting call goes: <c>logUrl</c> for a path ending in <c>/log</c>, <c>eventsUrl</c> for one ending in
    /// <c>/events</c>, otherwise the path under <c>reportingUrl</c>.
    /// </summary>
    /// <param name="relative">The operation's path (and query) relative to the service base, e.g. <c>engines/telemetry/i-1/log</c>.</param>
    /// <returns>The absolute URI, or <see langword="null"/> when reporting is not enabled or no URL fits (https, or
    /// http on loopback only).</returns>
    public Uri? ResolveReporting(string relative)
    {
        ArgumentNullException.ThrowIfNull(relative);
        if (!IsReportingEnabled)
        {
            return null;
        }

        var (path, query) = SplitQuery(relative);
        // Logs and events may hold what redaction missed: like the token, they travel over https only (http on
        // loopback). A URL in clear text counts as none.
        if (path.EndsWith("/log", StringComparison.Ordinal) && Document.LogUrl is { IsAbsoluteUri: true } log && Pipeline.Origin.IsSecureTransport(log))
        {
            return WithQuery(log, query);
        }

        if (path.EndsWith("/events", StringComparison.Ordinal) && Document.EventsUrl is { IsAbsoluteUri: true } events && Pipeline.Origin.IsSecureTransport(events))
        {
            return WithQuery(events, query);
        }

        return Document.ReportingUrl is { IsAbsoluteUri: true } reporting && Pipeline.Origin.IsSecureTransport(reporting)
            ? new Uri(WithTrailingSlash(reporting), relative.TrimStart('/'))
            : null;
    }

    /// <summary>
    /// Where an orchestration call goes: <c>configUrl</c> for this instance's configuration document, otherwise the path
    /// under <c>orchestrationUrl</c>. The discovery document itself is always fetched from the configured URL.
    /// </summary>
    /// <param name="relative">The operation's path (and query) relative to the service base, e.g. <c>engines/config/i-1</c>.</param>
    /// <param name="instanceId">This instance's id.</param>
    /// <returns>The absolute URI, or <see langword="null"/> to keep the configured URL: the discovery document itself, or
    /// no URL that may carry the token (https, or http on loopback only).</returns>
    internal Uri? ResolveOrchestration(string relative, string instanceId)
    {
        var (path, query) = SplitQuery(relative);
        if (path.StartsWith("engines/endpoints/", StringComparison.Ordinal))
        {
            return null;
        }

        if (IsConfigurationOf(path, instanceId)
            && Document.ConfigUrl is { IsAbsoluteUri: true } config && Pipeline.Origin.IsSecureTransport(config))
        {
            return WithQuery(config, query);
        }

        return Document.OrchestrationUrl is { IsAbsoluteUri: true } orchestration && Pipeline.Origin.IsSecureTransport(orchestration)
            ? new Uri(WithTrailingSlash(orchestration), relative.TrimStart('/'))
            : null;
    }

    /// <summary>Whether <paramref name="relative"/> is this instance's configuration document while the document says
    /// scheduling is not enabled for the account: such a call is not sent.</summary>
    internal bool WithholdsConfiguration(string relative, string instanceId)
    {
        if (IsEnabled(ServiceName.Scheduling))
        {
            return false;
        }

        return IsConfigurationOf(SplitQuery(relative).Path, instanceId);
    }

    // A relative operation URL as its path and its query (with the '?', or empty).
    // The URL exactly as the document names it (its own query too, e.g. a tenant), with the operation's query after it;
    // never its fragment.
    private static Uri WithQuery(Uri named, string query)
    {
        var own = named.Query;
        var joined = own.Length == 0 ? query : query.Length == 0 ? own : own + "&" + query[1..];
        return new Uri(named.GetLeftPart(UriPartial.Path) + joined);
    }

    private static (string Path, string Query) SplitQuery(string relative)
    {
        var queryAt = relative.IndexOf('?', StringComparison.Ordinal);
        return queryAt < 0 ? (relative, string.Empty) : (relative[..queryAt], relative[queryAt..]);
    }

    // Whether a relative path is the instance's own configuration document.
    private static bool IsConfigurationOf(string path, string instanceId) =>
        string.Equals(path, "engines/config/" + Uri.EscapeDataString(instanceId), StringComparison.Ordinal);

    internal static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new UriBuilder(uri) { Path = uri.AbsolutePath + "/" }.Uri;
}
