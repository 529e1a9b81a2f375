using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Databacker.Api.Client.Diagnostics;

/// <summary>
/// Names under which the client publishes traces and metrics, so that an OpenTelemetry setup can subscribe to them
/// (for example <c>builder.AddSource(DatabackerClientDiagnostics.ActivitySourceName)</c> and
/// <c>builder.AddMeter(DatabackerClientDiagnostics.MeterName)</c>).
/// </summary>
/// <remarks>
/// Counters of the <see cref="MeterName"/> meter: <c>databacker.client.requests</c> (every request sent, each
/// redirect hop and retry included; tags <c>http.request.method</c>, <c>http.response.status_code</c>),
/// <c>databacker.client.retries</c>, <c>databacker.client.redirects</c> (tag <c>http.response.status_code</c>) and
/// <c>databacker.client.token_fetches</c> (tag <c>outcome</c>: <c>success</c> or <c>failure</c>).
/// </remarks>
public static class DatabackerClientDiagnostics
{
    /// <summary>The name of the <see cref="ActivitySource"/> used by every handler of the client pipeline.</summary>
    public const string ActivitySourceName = "Databacker.Api.Client";

    /// <summary>The name of the <see cref="Meter"/> the client's counters belong to.</summary>
    public const string MeterName = "Databacker.Api.Client";

    /// <summary>The one activity source of the client; immutable, so shared safely.</summary>
    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    /// <summary>The one meter of the client; its instruments only count, so sharing it is safe.</summary>
    internal static readonly Meter Meter = new(MeterName);

    /// <summary>Requests sent to a server: every hop and every retry counts once.</summary>
    internal static readonly Counter<long> Requests = Meter.CreateCounter<long>("databacker.client.requests", "{request}", "HTTP requests sent, hops and retries included.");

    /// <summary>Retries scheduled by the resilience handler.</summary>
    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>("databacker.client.retries", "{retry}", "Retries after a transient failure.");

    /// <summary>Redirects followed by the routing handler.</summary>
    internal static readonly Counter<long> Redirects = Meter.CreateCounter<long>("databacker.client.redirects", "{redirect}", "Redirects (301, 307, 308) followed.");

    /// <summary>Access-token fetches from the token endpoint.</summary>
    internal static readonly Counter<long> TokenFetches = Meter.CreateCounter<long>("databacker.client.token_fetches", "{fetch}", "Access tokens requested from the token endpoint.");
}
