using Databacker.Api.Server.Routing;

namespace Databacker.Samples.Controller.Hosting;

/// <summary>What the operator chose on the command line, validated.</summary>
public sealed class ControllerSettings
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const string DefaultAdminAudience = "databacker-admin";

    /// <summary>Where Kestrel listens; the first one is this controller's public base URL.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>The issuer of agent tokens: <see cref="BaseUrl"/> unless told otherwise.</summary>
    public required Uri Issuer { get; init; }

    /// <summary>The absolute data directory.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Where to write a fresh admin token, if anywhere.</summary>
    public string? AdminTokenFile { get; init; }

    /// <summary>Lifetime of that token.</summary>
    public TimeSpan AdminTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>An external authority for admin tokens, instead of the local admin key.</summary>
    public Uri? AdminAuthority { get; init; }

    /// <summary>The audience admin tokens carry.</summary>
    public string AdminAudience { get; init; } = DefaultAdminAudience;

    /// <summary>The tags served here; null for all.</summary>
    public IReadOnlySet<string>? Tags { get; init; }

    /// <summary>Where the tags not served here live.</summary>
    public IReadOnlyDictionary<string, Uri> TagLocations { get; init; } = new Dictionary<string, Uri>();

    /// <summary>The reporting base URL handed to agents by discovery, when it is not this endpoint.</summary>
    public Uri? ReportingUrl { get; init; }

    /// <summary>The issuer identifier as tokens and metadata carry it: the URL without a trailing slash.</summary>
    public string IssuerText => Issuer.AbsoluteUri.TrimEnd('/');

    /// <summary>The database file.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "controller.db");

    /// <summary>Whether this endpoint serves a tag.</summary>
    public bool Serves(string tag) => Tags is null || Tags.Contains(tag);

    /// <summary>
    /// The reporting base URL agents are told about: <c>--reporting-url</c>, else the location of the Reporting tag
    /// when it is served elsewhere, else this endpoint.
    /// </summary>
    public Uri EffectiveReportingUrl =>
        ReportingUrl
        ?? (!Serves(ApiTags.Reporting) && TagLocations.TryGetValue(ApiTags.Reporting, out var location) ? location : BaseUrl);
}
