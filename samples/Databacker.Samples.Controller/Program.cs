using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Replay;
using Databacker.Api.Auth.Validation;
using Databacker.Api.Server.DependencyInjection;
using Databacker.Api.Server.Reporting;
using Databacker.Api.Server.Routing;
using Databacker.Samples.Controller.Hosting;
using Databacker.Samples.Controller.Security;
using Databacker.Samples.Controller.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;

if (args.Any(a => a is "-h" or "--help" or "-?"))
{
    Console.WriteLine(ControllerCommandLine.Usage);
    return 0;
}

ControllerSettings settings;
try
{
    settings = ControllerCommandLine.Parse(args);
}
catch (CommandLineException error)
{
    Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("Run with --help for the options.");
    return 2;
}

try
{
    await RunAsync(settings);
    return 0;
}
catch (Exception error) when (error is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or OptionsValidationException)
{
    // Operator-facing failures (data directory not writable, port in use, bad settings): a clear line, no stack trace.
    Console.Error.WriteLine($"error: {error.Message}");
    return 1;
}

static async Task RunAsync(ControllerSettings settings)
{
    // Owner only: the database holds the instances' configurations, credentials included, beside the signing keys.
    if (OperatingSystem.IsWindows())
    {
        Directory.CreateDirectory(settings.DataDirectory);
    }
    else
    {
        Directory.CreateDirectory(settings.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    var timeProvider = TimeProvider.System;
    var database = new SqliteDatabase(settings.DatabasePath);
    await database.InitializeAsync(CancellationToken.None);

    // Agent tokens are signed by a key kept in the data directory: restarts keep issued tokens valid, and endpoints
    // of one deployment sharing the directory verify each other's tokens.
    var signingKey = KeyFiles.LoadOrCreate(Path.Combine(settings.DataDirectory, KeyFiles.SigningKeyFile));
    using var adminTokens = settings.AdminAuthority is null
        ? new LocalAdminTokens(Path.Combine(settings.DataDirectory, KeyFiles.AdminKeyFile), settings.IssuerText, settings.AdminAudience, timeProvider)
        : null;

    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
    builder.WebHost.UseUrls(settings.BaseUrl.AbsoluteUri.TrimEnd('/'));
    builder.Logging.ClearProviders();
    builder.Logging.AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = null;
    });
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Logging.AddFilter(StartupLog.Category, LogLevel.Information);

    // A failed start (say the port is taken) is reported once, as one clear line, by Main rather than as a stack trace.
    builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

    var services = builder.Services;
    services.AddSingleton(timeProvider);
    services.AddSingleton(settings);
    services.AddSingleton(database);
    services.AddSingleton<SqliteInstanceStore>();
    services.AddSingleton<IInstanceKeyStore>(sp => sp.GetRequiredService<SqliteInstanceStore>());
    services.AddSingleton<SqliteReportingStore>();
    services.AddSingleton<ILogStore>(sp => sp.GetRequiredService<SqliteReportingStore>());
    services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<SqliteReportingStore>());
    services.AddSingleton<IReplayCache, SqliteReplayCache>();   // before AddDatabackerServer, which only adds a default
    services.AddSingleton(sp => new NdjsonLogReader(new NdjsonLogReaderOptions
    {
        MaxBodyBytes = sp.GetRequiredService<IOptions<DatabackerServerOptions>>().Value.RequestBodyLimits.For("Reporting_PostLogs"),
    }));

    services
        .AddDatabackerServer(o =>
        {
            o.AgentTokens.Issuer = settings.IssuerText;
            o.UserTokens.Audience = settings.AdminAudience;
            if (adminTokens is not null)
            {
                o.UserTokens.Issuer = adminTokens.Issuer;
                o.UserTokens.SigningKeys.Add(adminTokens.SigningKey);
            }
            else
            {
                o.UserTokens.Authority = settings.AdminAuthority!.AbsoluteUri;
            }

            if (settings.Tags is { } tags)
            {
                o.ImplementedTags = new HashSet<string>(tags, StringComparer.Ordinal);
            }

            foreach (var (tag, location) in settings.TagLocations)
            {
                o.TagLocations[tag] = location;
            }
        })
        .AddApplicationPart(typeof(ControllerSettings).Assembly);

    // AddDatabackerServer already reads bodies under the contract's JSON rules (ContractJsonSettings: dates and digits
    // among unknown members kept as sent) and refuses a JWK with a private part or unknown members.

    await using var app = builder.Build();
    app.Services.GetRequiredService<SigningKeyRing>().Add(signingKey);
    app.MapDatabackerServer();

    if (settings.AdminTokenFile is { } tokenFile && adminTokens is not null)
    {
        // Written before listening, so whoever waits for the start line finds the token in place.
        KeyFiles.WritePrivate(tokenFile, adminTokens.Mint(settings.AdminTokenLifetime), overwrite: true);
    }

    await app.StartAsync();
    var listening = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
        ?? settings.BaseUrl.AbsoluteUri;
    var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(StartupLog.Category);
    StartupLog.Listening(log, listening, settings.DatabasePath, settings.IssuerText,
        settings.Tags is null ? string.Join(",", ApiTags.All) : string.Join(",", settings.Tags));
    await app.WaitForShutdownAsync();
}

/// <summary>The controller's own log lines.</summary>
internal static partial class StartupLog
{
    public const string Category = "Databacker.Samples.Controller";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Databacker sample controller listening on {Url} (issuer {Issuer}, tags {Tags}); data in {Database}")]
    public static partial void Listening(ILogger logger, string url, string database, string issuer, string tags);
}
