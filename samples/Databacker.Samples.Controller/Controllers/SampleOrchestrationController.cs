using Databacker.Api.Contracts;
using Databacker.Api.Server;
using Databacker.Api.Server.Caching;
using Databacker.Api.Server.Errors;
using Databacker.Api.Server.Routing;
using Databacker.Samples.Controller.Hosting;
using Databacker.Samples.Controller.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Databacker.Samples.Controller.Controllers;

/// <summary>The Orchestration tag: an agent's configuration (with ETag) and its discovery document.</summary>
public sealed class SampleOrchestrationController : OrchestrationControllerBase
{
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

        // The API's URL layout: a configuration URL only with scheduling, reporting URLs only with reporting.
        var document = DiscoveryDocument.Create(instance, found.Services, _settings.BaseUrl, _settings.EffectiveReportingUrl);
        return Ok(document);
    }
}
