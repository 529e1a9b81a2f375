using Databacker.Api.Contracts;
using Databacker.Api.Server;
using Databacker.Api.Server.Caching;
using Databacker.Api.Server.Errors;
using Databacker.Samples.Controller.Hosting;
using Databacker.Samples.Controller.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Databacker.Samples.Controller.Controllers;

/// <summary>The Orchestration tag: an agent's configuration (with ETag) and its discovery document.</summary>
public sealed class SampleOrchestrationController : OrchestrationControllerBase
{
    private static readonly int DiscoveryLifetimeSeconds = (int)TimeSpan.FromMinutes(5).TotalSeconds;

    private readonly SqliteInstanceStore _instances;
    private readonly ControllerSettings _settings;

    public SampleOrchestrationController(SqliteInstanceStore instances, ControllerSettings settings)
    {
        _instances = instances;
        _settings = settings;
    }

    /// <inheritdoc />
    public override async Task<ActionResult<ConfigDocument>> GetConfig(string instance, string? if_None_Match = null, CancellationToken cancellationToken = default)
    {
        // The runtime has already checked the token is this instance's; If-None-Match is read by OkWithEntityTag.
        // Without scheduling the instance keeps its local configuration (the spec): it is not handed one from here,
        // matching the discovery document, which names no configUrl then.
        if (await _instances.GetAsync(instance, cancellationToken) is { } known && !known.Services.Contains(ServiceName.Scheduling))
        {
            return this.DatabackerProblem(StatusCodes.Status403Forbidden, DatabackerProblemTypes.Forbidden,
                "Scheduling is not enabled for this instance: it runs its local configuration.");
        }

        var stored = await _instances.GetConfigAsync(instance, cancellationToken);
        if (stored is null)
        {
            var detail = await _instances.ExistsAsync(instance, cancellationToken)
                ? "The instance has no configuration yet."
                : "No such instance.";
            return this.DatabackerProblem(StatusCodes.Status404NotFound, DatabackerProblemTypes.NotFound, detail);
        }

        return this.OkWithEntityTag(stored.Value.Document);
    }

    /// <inheritdoc />
    public override async Task<ActionResult<Endpoints>> GetEndpoints(string instance, CancellationToken cancellationToken = default)
    {
        var found = await _instances.GetAsync(instance, cancellationToken);
        if (found is null)
        {
            return this.DatabackerProblem(StatusCodes.Status404NotFound, DatabackerProblemTypes.NotFound, "No such instance.");
        }

        var id = Uri.EscapeDataString(instance);
        var orchestration = _settings.BaseUrl;
        var document = new Endpoints { Services = [.. found.Services], OrchestrationUrl = orchestration, ExpiresIn = DiscoveryLifetimeSeconds };
        if (found.Services.Contains(ServiceName.Scheduling))
        {
            document.ConfigUrl = new Uri(orchestration, $"engines/config/{id}");
        }

        if (found.Services.Contains(ServiceName.Reporting))
        {
            var reporting = WithTrailingSlash(_settings.EffectiveReportingUrl);
            document.ReportingUrl = _settings.EffectiveReportingUrl;
            document.LogUrl = new Uri(reporting, $"engines/telemetry/{id}/log");
            document.EventsUrl = new Uri(reporting, $"engines/telemetry/{id}/events");
        }

        return Ok(document);
    }

    private static Uri WithTrailingSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
