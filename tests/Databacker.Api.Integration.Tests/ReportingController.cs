using Databacker.Api.Contracts;
using Databacker.Api.Server;
using Databacker.Api.Server.Caching;
using Databacker.Api.Server.Errors;
using Databacker.Api.Server.Reporting;
using Microsoft.AspNetCore.Mvc;

namespace Databacker.Api.Integration.Tests;

/// <summary>The reporting side of a controller, the way an implementer writes it.</summary>
public sealed class ReportingController(InMemoryReportingStore store, NdjsonLogReader reader) : ReportingControllerBase
{
    public override async Task<ActionResult<LogReceipt>> PostLogs(Stream body, string instance, CancellationToken cancellationToken = default)
    {
        var lines = await reader.ReadAsync(body, cancellationToken);
        if (!lines.Succeeded)
        {
            return this.LogBodyProblem(lines.Error!);
        }

        return StatusCode(201, await store.AppendAsync(instance, lines.Entries, cancellationToken));
    }

    public override async Task<ActionResult<EventReceipt>> PostEvents(EventBatch body, string instance, CancellationToken cancellationToken = default)
        => StatusCode(201, await store.AppendAsync(instance, body.Events.ToList(), cancellationToken));
}

/// <summary>Discovery only: reporting lives on this same controller.</summary>
public sealed class OrchestrationController : OrchestrationControllerBase
{
    public override Task<ActionResult<ConfigDocument>> GetConfig(string instance, string? if_None_Match = null, CancellationToken cancellationToken = default)
        => Task.FromResult<ActionResult<ConfigDocument>>(this.OkWithEntityTag<ConfigDocument>(new RemoteConfig { Version = "config.databack.io/v1" }));

    public override Task<ActionResult<Endpoints>> GetEndpoints(string instance, CancellationToken cancellationToken = default)
    {
        var self = $"{Request.Scheme}://{Request.Host}";
        return Task.FromResult<ActionResult<Endpoints>>(new Endpoints
        {
            Services = [ServiceName.Scheduling, ServiceName.Reporting],
            OrchestrationUrl = new Uri(self + "/"),
            ReportingUrl = new Uri(self + "/"),
        });
    }
}
