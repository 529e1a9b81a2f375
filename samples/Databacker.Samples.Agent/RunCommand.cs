using System.CommandLine;
using System.Diagnostics;
using System.Threading.Channels;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.Configuration;
using Databacker.Api.Client.DependencyInjection;
using Databacker.Api.Client.Discovery;
using Databacker.Api.Client.Exceptions;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Contracts;

namespace Databacker.Samples.Agent;

/// <summary>
/// <c>run</c>: authenticates, discovers the endpoints, fetches the configuration (with its ETag), runs one simulated
/// backup and reports it: logs and events, redacted, through the outbox.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var controller = new Option<string>("--controller") { Description = "The controller's orchestration URL, e.g. http://127.0.0.1:5080.", Required = true };
        var instance = new Option<string>("--instance") { Description = "This instance's id, as printed by register.", Required = true };
        var keyFile = new Option<FileInfo>("--key") { Description = "The instance's private key (PKCS#8 PEM, from keygen).", Required = true };
        var spool = new Option<DirectoryInfo?>("--spool")
        {
            Description = "Where the agent keeps its last configuration, ETag and undelivered reports. Default: .databacker-agent/<instance> under the current directory.",
        };
        var workScale = new Option<double>("--work-scale")
        {
            Description = "Multiplies the simulated work's delays (0 = no delays, 10 = ten times slower).",
            DefaultValueFactory = _ => 1.0,
        };
        workScale.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0 or > 1000)
            {
                r.AddError("--work-scale must be between 0 and 1000.");
            }
        });
        var localConfig = LocalConfigOption();
        var command = new Command("run", "Runs one simulated backup with the configuration the controller holds for this instance, and reports its logs and events.")
        {
            controller, instance, keyFile, spool, workScale, localConfig,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(
            token => RunAsync(
                CheckController(parse.GetRequiredValue(controller)),
                parse.GetRequiredValue(instance),
                parse.GetRequiredValue(keyFile),
                parse.GetValue(spool)?.FullName ?? Path.Combine(".databacker-agent", parse.GetRequiredValue(instance)),
                parse.GetValue(workScale),
                parse.GetValue(localConfig),
                token),
            ct));
        return command;
    }

    /// <summary>The spec's reporting-only mode: without scheduling an instance runs its local configuration.</summary>
    internal static Option<FileInfo?> LocalConfigOption() => new("--config")
    {
        Description = "A local configuration (the contract's LocalConfig JSON), run when the controller does not schedule this instance (reporting only). With scheduling, the controller's configuration is used.",
    };

    internal static Uri CheckController(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var controller) || (controller.Scheme != Uri.UriSchemeHttp && controller.Scheme != Uri.UriSchemeHttps))
        {
            throw new CommandFailure($"--controller must be an absolute http(s) URL, not '{text}'");
        }

        return controller;
    }

    private static async Task<int> RunAsync(Uri controller, string instanceId, FileInfo keyFile, string spoolDirectory, double workScale, FileInfo? localConfig, CancellationToken cancellationToken)
    {
        using var state = AgentState.Open(spoolDirectory);
        using var key = await KeyFile.ReadAsync(keyFile, cancellationToken);
        await using var databacker = Connect(controller, instanceId, key);
        var spool = Spool(databacker, instanceId, state);
        Console.WriteLine($"agent {instanceId}: controller {controller}, key {key.KeyId}, spool {state.Directory}");
        return await RunOnceAsync(databacker, spool, state, workScale, localConfig, cancellationToken);
    }

    internal static DatabackerClient Connect(Uri controller, string instanceId, Databacker.Api.Auth.Keys.EcdsaKey key) =>
        new DatabackerClientBuilder(o =>
        {
            o.Controller = controller;
            o.InstanceId = instanceId;
            o.Key = key;
            // An agent that cannot reach its controller spools its reports; it should find out quickly.
            o.Resilience.MaxRetryAttempts = 2;
            o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(200);
            o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(10);
            o.Resilience.TotalTimeout = TimeSpan.FromSeconds(30);
            o.Token.FetchTimeout = TimeSpan.FromSeconds(15);
        }).Build();

    // Every report is written ahead to the spool, then delivered from it in order (also by the next run).
    internal static ReportingSender Spool(DatabackerClient databacker, string instanceId, AgentState state) =>
        new(
            databacker.Reporting,
            instanceId,
            new ReportingSenderOptions
            {
                SpoolDirectory = state.OutboxDirectory,
                MaxSpoolBytes = 64L * 1024 * 1024,
                WhenFull = OutboxFullPolicy.DropOldest,
                RetryDelay = TimeSpan.FromSeconds(5),
            },
            logger: new StderrLogger<ReportingSender>());

    /// <summary>One backup run: discovery, earlier reports, the configuration (by ETag), the run and its reports.</summary>
    internal static async Task<int> RunOnceAsync(DatabackerClient databacker, ReportingSender spool, AgentState state, double workScale, FileInfo? localConfig, CancellationToken cancellationToken)
    {
        // 1. Discovery: which services this instance has and where reporting lives.
        var reporting = true;
        var online = true;
        try
        {
            var endpoints = await databacker.Discovery.GetAsync(cancellationToken);
            reporting = endpoints.IsReportingEnabled;
            Console.WriteLine($"discovered: services [{string.Join(", ", endpoints.Document.Services ?? [])}], " +
                $"orchestration {endpoints.Document.OrchestrationUrl}, reporting {Describe(endpoints)}");
        }
        catch (Exception error) when (CommandRunner.IsUnreachable(error))
        {
            online = false;
            Console.Error.WriteLine($"warning: the controller is unreachable ({CommandRunner.Describe(error)}); working offline, reports are spooled");
        }

        // 2. Reports left from earlier runs go first, so the controller sees them in order.
        if (state.InterruptedRun is { } interrupted)
        {
            Console.Error.WriteLine($"warning: run {interrupted} did not finish (the agent was stopped); reporting it as failed");
            var events = new RunEvents(interrupted, SecretRedactor.UrlsOnly);
            events.Record(EventType.RunFailed, e => e.Error = "the agent stopped before the run finished (killed or crashed)");
            await events.FlushAsync(spool.SendEventsAsync, cancellationToken);
            state.MarkRunFinished();
        }

        if (online && reporting && spool.HasPending)
        {
            var before = spool.Delivered;
            var empty = await spool.DeliverPendingAsync(force: true, cancellationToken);
            Console.WriteLine($"delivered {spool.Delivered - before} spooled report(s) from earlier runs{(empty ? "" : $"; some remain ({spool.LastError})")}");
        }

        // 3. Configuration, with the ETag of the one we have.
        var (document, etag) = await FetchConfigurationAsync(databacker.Configuration, state, online, localConfig, cancellationToken);
        if (document is not LocalConfig { Spec: { } spec } local)
        {
            throw new CommandFailure($"the configuration is of kind '{document.GetType().Name}'; this sample agent runs local configurations only");
        }

        // 4. The run, reported as it goes.
        var redactor = SecretRedactor.FromConfiguration(local);
        var runId = Guid.NewGuid();
        state.MarkRunStarted(runId);
        var runEvents = new RunEvents(runId, redactor);
        var uploaderOptions = new LogUploaderOptions { MaxChunkDelay = TimeSpan.FromMilliseconds(300), QueueCapacity = 4096 };
        var uploader = reporting
            ? spool.CreateLogUploader(redactor, uploaderOptions)
            : new LogUploader(static (_, _) => Task.FromResult(new LogReceipt()), redactor, uploaderOptions);
        await using var upload = uploader.Start(cancellationToken);
        var log = new RunLog(runId, upload.Writer);

        // At every phase's end the log lines so far and the events are on disk (or delivered): a kill loses neither.
        async Task FlushEvents(CancellationToken ct)
        {
            await upload.FlushAsync(ct);
            if (reporting)
            {
                await runEvents.FlushAsync(spool.SendEventsAsync, ct);
            }
        }

        var clock = Stopwatch.StartNew();
        runEvents.Record(EventType.RunStarted, e => e.Attributes = new Dictionary<string, object>
        {
            ["agent"] = "Databacker.Samples.Agent",
            ["configuration"] = local.Metadata?.Name ?? "",
            ["configurationETag"] = etag ?? "",
        });
        await FlushEvents(cancellationToken);
        var simulation = new BackupRun(spec, runEvents, log, redactor, FlushEvents, workScale, Random.Shared);
        string? failure;
        try
        {
            failure = await simulation.ExecuteAsync(local.Metadata?.Name ?? "unnamed", cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            failure = CommandRunner.Describe(error);
        }

        var elapsed = (long)clock.Elapsed.TotalMilliseconds;
        if (failure is null)
        {
            await log.WriteAsync(LogStream.Stdout, $"run {runId} succeeded: {BackupRun.Size(simulation.Bytes)} in {elapsed} ms", "info", cancellationToken: cancellationToken);
            runEvents.Record(EventType.RunSucceeded, e => { e.DurationMs = elapsed; e.Bytes = simulation.Bytes; });
        }
        else
        {
            await log.WriteAsync(LogStream.Stderr, $"run {runId} failed: {failure}", "error", cancellationToken: cancellationToken);
            runEvents.Record(EventType.RunFailed, e => { e.DurationMs = elapsed; e.Bytes = simulation.Bytes; e.Error = failure; });
        }

        await upload.CompleteAsync(cancellationToken);
        await FlushEvents(cancellationToken);
        state.MarkRunFinished();

        // 5. Deliver what is left; if the controller is still away, the next run delivers it first.
        if (reporting && spool.HasPending && !await spool.DeliverPendingAsync(force: true, cancellationToken))
        {
            Console.Error.WriteLine($"warning: the controller did not take every report ({spool.LastError}); they stay in {state.OutboxDirectory} for the next run");
        }

        Console.WriteLine(failure is null
            ? $"run {runId} succeeded: {BackupRun.Size(simulation.Bytes)} in {elapsed} ms; {spool.Delivered} report(s) delivered"
            : redactor.Redact($"run {runId} failed: {failure}"));
        if (failure is not null)
        {
            Console.Error.WriteLine(redactor.Redact($"error: the run failed: {failure}"));
        }

        return failure is null ? ExitCodes.Success : ExitCodes.Failure;
    }

    internal static async Task<(ConfigDocument Document, string? ETag)> FetchConfigurationAsync(
        ConfigurationClient configuration, AgentState state, bool online, FileInfo? localConfig, CancellationToken cancellationToken)
    {
        var cachedETag = state.CachedETag;
        if (online)
        {
            try
            {
                var result = await configuration.GetConfigurationAsync(cachedETag, cancellationToken);
                if (result.NotModified && state.LoadConfiguration() is { } cached)
                {
                    Console.WriteLine($"configuration unchanged (ETag {result.ETag}), using the cached copy");
                    return (cached, result.ETag);
                }

                if (result.Document is { } document)
                {
                    state.SaveConfiguration(document, result.ETag);
                    Console.WriteLine($"fetched configuration '{document.Metadata?.Name}' (ETag {result.ETag})");
                    return (document, result.ETag);
                }

                // 304 but the cached copy is gone: ask again without an ETag.
                var fresh = await configuration.GetConfigurationAsync(null, cancellationToken);
                state.SaveConfiguration(fresh.Document!, fresh.ETag);
                return (fresh.Document!, fresh.ETag);
            }
            catch (ServiceNotEnabledException)
            {
                // The spec: without scheduling an instance runs its local configuration.
                if (localConfig is null)
                {
                    throw new CommandFailure("scheduling is not enabled for this instance on the controller: give the agent its local configuration with '--config FILE', or register the instance with '--service scheduling'", final: true);
                }

                var local = ReadLocalConfiguration(localConfig);
                Console.WriteLine($"scheduling is not enabled for this instance: using the local configuration '{local.Metadata?.Name}' from {localConfig.Name}");
                return (local, null);
            }
            catch (Exception error) when (CommandRunner.IsUnreachable(error))
            {
                Console.Error.WriteLine($"warning: could not fetch the configuration ({CommandRunner.Describe(error)})");
            }
        }

        if (state.LoadConfiguration() is { } offline)
        {
            Console.Error.WriteLine($"warning: running with the cached configuration (ETag {cachedETag ?? "none"})");
            return (offline, cachedETag);
        }

        throw new CommandFailure("the controller is unreachable and there is no cached configuration to run with");
    }

    private static LocalConfig ReadLocalConfiguration(FileInfo file)
    {
        ConfigDocument? document;
        try
        {
            document = Newtonsoft.Json.JsonConvert.DeserializeObject<ConfigDocument>(File.ReadAllText(file.FullName), Databacker.Api.Contracts.Serialization.ContractJsonSettings.Create());
        }
        catch (Exception error) when (error is Newtonsoft.Json.JsonException or IOException)
        {
            throw new CommandFailure($"the local configuration {file.Name} cannot be read: {error.Message}", error, final: true);
        }

        return document as LocalConfig
            ?? throw new CommandFailure($"the local configuration {file.Name} is not a configuration of kind 'local'", final: true);
    }

    private static string Describe(DiscoveredEndpoints endpoints) => endpoints.IsReportingEnabled
        ? $"{endpoints.Document.ReportingUrl?.ToString() ?? "-"} (log {endpoints.Document.LogUrl?.ToString() ?? "-"}, events {endpoints.Document.EventsUrl?.ToString() ?? "-"})"
        : "not enabled";
}
