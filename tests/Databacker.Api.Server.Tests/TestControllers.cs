using Databacker.Api.Server.Negotiation;
using System.Text;
using Databacker.Api.Contracts;
using Databacker.Api.Server;
using Databacker.Api.Server.Caching;
using Microsoft.AspNetCore.Mvc;

namespace Databacker.Api.Server.Tests;

// Minimal subclasses of every generated controller: just enough behaviour to observe the runtime around them.
public sealed class TestOrchestrationController : OrchestrationControllerBase
{
    public static LocalConfig Document(string instance) => new()
    {
        Version = "config.databack.io/v1",
        Metadata = new ConfigMetadata { Name = instance },
        Spec = new LocalConfigSpec { Logging = "info" },
    };

    public override Task<ActionResult<ConfigDocument>> GetConfig(string instance, string? if_None_Match = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(HttpContext.RequestServices.GetService(typeof(StoredConfigs)) is StoredConfigs stored && stored.TryGet(instance, out var entry)
            ? this.OkWithEntityTag(entry.Document, entry.EntityTag)
            : this.OkWithEntityTag<ConfigDocument>(Document(instance)));

    public override Task<ActionResult<Endpoints>> GetEndpoints(string instance, CancellationToken cancellationToken = default) =>
        Task.FromResult<ActionResult<Endpoints>>(Ok(new Endpoints { Services = [ServiceName.Scheduling], OrchestrationUrl = new Uri("https://controller.test") }));
}

public sealed class TestReportingController : ReportingControllerBase
{
    public override async Task<ActionResult<LogReceipt>> PostLogs(Stream body, string instance, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(body);
        long lines = 0;
        while (await reader.ReadLineAsync(cancellationToken) is not null)
        {
            lines++;
        }

        return StatusCode(201, new LogReceipt { Accepted = lines, Duplicates = 0 });
    }

    public override Task<ActionResult<EventReceipt>> PostEvents(EventBatch body, string instance, CancellationToken cancellationToken = default) =>
        Task.FromResult<ActionResult<EventReceipt>>(StatusCode(201, new EventReceipt { Accepted = body.Events.Count, Duplicates = 0 }));
}

public sealed class TestAdministrationController : AdministrationControllerBase
{
    public override Task<ActionResult<InstanceList>> ListInstances(int? limit = 50, string? cursor = null, CancellationToken cancellationToken = default) => Done<InstanceList>();

    public override Task<ActionResult<Instance>> CreateInstance(InstanceCreate body, CancellationToken cancellationToken = default) => Done<Instance>();

    public const string SecretFailure = "connection string Password=hunter2";

    public override Task<ActionResult<Instance>> GetInstance(string instance, CancellationToken cancellationToken = default) =>
        instance == "explode" ? throw new InvalidOperationException(SecretFailure) : Done<Instance>();

    public override Task<ActionResult<Instance>> UpdateInstance(InstanceUpdate body, string instance, CancellationToken cancellationToken = default) => Done<Instance>();

    public override Task<IActionResult> DeleteInstance(string instance, CancellationToken cancellationToken = default) => Task.FromResult<IActionResult>(NoContent());

    public override Task<ActionResult<KeyList>> ListKeys(string instance, CancellationToken cancellationToken = default) => Done<KeyList>();

    public override Task<ActionResult<InstanceKey>> AddKey(Jwk body, string instance, CancellationToken cancellationToken = default) => Done<InstanceKey>();

    public override Task<IActionResult> RemoveKey(string instance, string kid, CancellationToken cancellationToken = default) => Task.FromResult<IActionResult>(NoContent());

    public override Task<ActionResult<ConfigDocument>> GetConfig(string instance, CancellationToken cancellationToken = default) =>
        Task.FromResult<ActionResult<ConfigDocument>>(Ok(TestOrchestrationController.Document(instance)));

    public override Task<ActionResult<ConfigDocument>> PutConfig(ConfigDocument body, string instance, string? if_Match = null, CancellationToken cancellationToken = default) =>
        Task.FromResult<ActionResult<ConfigDocument>>(Ok(body));

    public override Task<ActionResult<RunList>> ListRuns(string instance, int? limit = 50, string? cursor = null, RunStatus? status = null, DateTimeOffset? since = null, CancellationToken cancellationToken = default) => Done<RunList>();

    public override Task<ActionResult<RunDetail>> GetRun(string instance, Guid run, CancellationToken cancellationToken = default) => Done<RunDetail>();

    public override Task<IActionResult> GetRunLog(string instance, Guid run, CancellationToken cancellationToken = default) =>
        Task.FromResult<IActionResult>(this.NegotiatedStream((body, mediaType, ct) =>
            body.WriteAsync(Encoding.UTF8.GetBytes(mediaType == "text/plain" ? "line one\n" : "{\"seq\":1,\"msg\":\"line one\"}\n"), ct).AsTask()));

    public override Task<ActionResult<Summary>> GetSummary(DateTimeOffset? since = null, CancellationToken cancellationToken = default) => Done<Summary>();

    private Task<ActionResult<T>> Done<T>() => Task.FromResult<ActionResult<T>>(Ok());
}

// Used only when the built-in Auth controller is switched off.
public sealed class TestAuthController : AuthControllerBase
{
    public override Task<ActionResult<TokenResponse>> Token(TokenRequest body, CancellationToken cancellationToken = default) =>
        Task.FromResult<ActionResult<TokenResponse>>(Ok(new TokenResponse { Access_token = "test", Token_type = "Bearer", Expires_in = 1 }));

    public override Task<ActionResult<AuthorizationServerMetadata>> GetMetadata(CancellationToken cancellationToken = default) =>
        Task.FromResult<ActionResult<AuthorizationServerMetadata>>(Ok());

    public override Task<ActionResult<Jwks>> GetJwks(CancellationToken cancellationToken = default) =>
        Task.FromResult<ActionResult<Jwks>>(Ok());
}

/// <summary>A store that keeps documents in memory with the ETag it stored for each, as an implementer's cache would.</summary>
public sealed class StoredConfigs
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ConfigDocument Document, string EntityTag)> _documents = new();

    public void Put(string instance, ConfigDocument document, string entityTag) => _documents[instance] = (document, entityTag);

    public bool TryGet(string instance, out (ConfigDocument Document, string EntityTag) entry) => _documents.TryGetValue(instance, out entry);
}
