using System.Globalization;
using Databacker.Api.Server.Routing;

namespace Databacker.Samples.Controller.Hosting;

/// <summary>Parses the operator's command line into <see cref="ControllerSettings"/>.</summary>
internal static class ControllerCommandLine
{
    public const string Usage = """
        Databacker sample controller: orchestration, reporting, administration and auth on embedded SQLite.

        Usage:
          dotnet run --project samples/Databacker.Samples.Controller -- [options]

        Options:
          --urls URL                   Where to listen (plain http on loopback). Its first URL is this controller's
                                       base URL and, unless --issuer says otherwise, its issuer. Default http://127.0.0.1:5080
          --data-dir DIR               Where the database (controller.db) and keys live. Default ./data
          --admin-token-file FILE      Write a fresh admin bearer token (scope admin) to FILE at start.
          --admin-token-lifetime MIN   Lifetime of that token in minutes. Default 60.
          --admin-authority URL        Accept admin tokens from this OpenID Connect authority instead of the local admin key.
          --admin-audience AUD         The audience admin tokens carry. Default databacker-admin.
          --tags LIST                  Serve only these tags, comma separated (Orchestration,Reporting,Administration,Auth).
          --tag-location TAG=URL       Where a tag not served here lives (answered 301); repeatable.
          --reporting-url URL          The reporting base URL discovery gives agents. Default: the Reporting tag's
                                       location when it is served elsewhere, else this controller.
          --issuer URL                 The issuer of agent tokens. Default: the Auth tag's location when it is served
                                       elsewhere, else this controller's base URL. Endpoints of one deployment share it
                                       (and the --data-dir, which holds the token signing key).
          -h, --help                   Show this help.
        """;

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="CommandLineException">An argument is missing, unknown or invalid.</exception>
    public static ControllerSettings Parse(IReadOnlyList<string> args)
    {
        string? urls = null, dataDir = null, tokenFile = null, authority = null, audience = null, tags = null, reportingUrl = null, issuer = null;
        string? lifetime = null;
        var locations = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inline = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new CommandLineException($"{arg} needs a value.");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "--urls": urls = Value(); break;
                case "--data-dir": dataDir = Value(); break;
                case "--admin-token-file": tokenFile = Value(); break;
                case "--admin-token-lifetime": lifetime = Value(); break;
                case "--admin-authority": authority = Value(); break;
                case "--admin-audience": audience = Value(); break;
                case "--tags": tags = Value(); break;
                case "--tag-location": locations.Add(Value()); break;
                case "--reporting-url": reportingUrl = Value(); break;
                case "--issuer": issuer = Value(); break;
                default: throw new CommandLineException($"Unknown option '{args[i]}'.");
            }
        }

        var baseUrl = ParseListenUrl(urls ?? ControllerSettings.DefaultUrl);
        var servedTags = ParseTags(tags);
        var tagLocations = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var location in locations)
        {
            var parts = location.Split('=', 2);
            if (parts.Length != 2)
            {
                throw new CommandLineException($"--tag-location '{location}' must be TAG=URL.");
            }

            var tag = CanonicalTag(parts[0]);
            tagLocations[tag] = ParseAbsolute("--tag-location " + tag, parts[1]);
        }

        if (authority is not null && tokenFile is not null)
        {
            throw new CommandLineException("--admin-token-file mints tokens with the local admin key; it cannot be used with --admin-authority.");
        }

        var issuerUri = issuer is not null ? ParseAbsolute("--issuer", issuer)
            : servedTags is not null && !servedTags.Contains(ApiTags.Auth) && tagLocations.TryGetValue(ApiTags.Auth, out var authLocation) ? authLocation
            : baseUrl;

        var tokenLifetime = TimeSpan.FromHours(1);
        if (lifetime is not null)
        {
            if (!int.TryParse(lifetime, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) || minutes is < 1 or > 24 * 60)
            {
                throw new CommandLineException("--admin-token-lifetime must be a number of minutes from 1 to 1440.");
            }

            tokenLifetime = TimeSpan.FromMinutes(minutes);
        }

        return new ControllerSettings
        {
            BaseUrl = baseUrl,
            Issuer = issuerUri,
            DataDirectory = Path.GetFullPath(dataDir ?? "data"),
            AdminTokenFile = tokenFile is null ? null : Path.GetFullPath(tokenFile),
            AdminTokenLifetime = tokenLifetime,
            AdminAuthority = authority is null ? null : ParseAbsolute("--admin-authority", authority),
            AdminAudience = string.IsNullOrWhiteSpace(audience) ? ControllerSettings.DefaultAdminAudience : audience,
            Tags = servedTags,
            TagLocations = tagLocations,
            ReportingUrl = reportingUrl is null ? null : ParseAbsolute("--reporting-url", reportingUrl),
        };
    }

    private static Uri ParseListenUrl(string urls)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? throw new CommandLineException("--urls needs a URL.");
        if (!Uri.TryCreate(first, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp)
        {
            throw new CommandLineException($"--urls '{first}' must be an http:// URL (the sample serves plain http on loopback).");
        }

        if (!url.IsLoopback)
        {
            throw new CommandLineException($"--urls '{first}' must be on loopback (127.0.0.1, [::1] or localhost): the sample has no TLS.");
        }

        if ((url.IsDefaultPort && !first.Contains(":80", StringComparison.Ordinal)) || url.Port == 0)
        {
            throw new CommandLineException($"--urls '{first}' must name a port (not 0): the port is part of this controller's issuer.");
        }

        if (url.AbsolutePath != "/" || url.Query.Length > 0)
        {
            throw new CommandLineException($"--urls '{first}' must have no path or query.");
        }

        return new Uri(url.GetLeftPart(UriPartial.Authority), UriKind.Absolute);
    }

    private static IReadOnlySet<string>? ParseTags(string? tags)
    {
        if (tags is null)
        {
            return null;
        }

        var set = tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(CanonicalTag).ToHashSet(StringComparer.Ordinal);
        return set.Count == 0 ? throw new CommandLineException("--tags needs at least one tag.") : set;
    }

    private static string CanonicalTag(string tag) =>
        ApiTags.All.FirstOrDefault(t => string.Equals(t, tag.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new CommandLineException($"Unknown tag '{tag}'; the tags are {string.Join(", ", ApiTags.All)}.");

    private static Uri ParseAbsolute(string option, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CommandLineException($"{option} '{value}' must be an absolute http(s) URL.");
        }

        return uri;
    }
}

/// <summary>A command-line error, shown to the operator with the usage.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
