using System.Diagnostics;

namespace Databacker.Api.Client.Diagnostics;

/// <summary>
/// Names under which the client publishes traces, so that an OpenTelemetry setup can subscribe to them
/// (for example <c>builder.AddSource(DatabackerClientDiagnostics.ActivitySourceName)</c>).
/// </summary>
public static class DatabackerClientDiagnostics
{
    /// <summary>The name of the <see cref="ActivitySource"/> used by every handler of the client pipeline.</summary>
    public const string ActivitySourceName = "Databacker.Api.Client";

    /// <summary>The one activity source of the client; immutable, so shared safely.</summary>
    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
