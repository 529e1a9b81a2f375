using Databacker.Api.Contracts;
using Databacker.Api.Server;
using Databacker.Api.Server.Caching;
using Microsoft.AspNetCore.Mvc;

namespace Databacker.Api.LoadServer;

/// <summary>
/// The minimal orchestration controller an implementer would write: the configuration from a store (here one fixed
/// document and the ETag stored with it) through the runtime's ETag helper. Everything else — token validation, instance binding, negotiation,
/// problem details — is the runtime's.
/// </summary>
public sealed class LoadOrchestrationController(ConfigStore store) : OrchestrationControllerBase
{
    /// <inheritdoc />
    public override Task<ActionResult<ConfigDocument>> GetConfig(string instance, string? if_None_Match = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(this.OkWithEntityTag(store.Document, store.EntityTag));

    /// <inheritdoc />
    public override Task<ActionResult<Endpoints>> GetEndpoints(string instance, CancellationToken cancellationToken = default) =>
        Task.FromResult<ActionResult<Endpoints>>(Ok(new Endpoints { Services = [ServiceName.Scheduling], OrchestrationUrl = new Uri(Request.Scheme + "://" + Request.Host) }));
}
