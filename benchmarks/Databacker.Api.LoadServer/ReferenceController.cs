using Databacker.Api.Server.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Databacker.Api.LoadServer;

/// <summary>
/// Reference points for server-throughput.sh <c>--reference</c>: plain MVC actions in the api's pipeline (not a
/// generated controller, so no negotiation, ETag or instance-binding code of ours) that bind the route value and write
/// the same bytes. The anonymous one is what MVC alone costs; the one behind the agent scheme and orchestration policy
/// is what MVC and the framework's authentication and authorization cost together, the floor for any authenticated
/// controller action.
/// </summary>
public sealed class ReferenceController(ReferenceResponse reference) : ControllerBase
{
    /// <summary>The captured 200, anonymous.</summary>
    [HttpGet("/reference/mvc/{instance}")]
    [AllowAnonymous]
    public IActionResult Get(string instance) => new Result(reference);

    /// <summary>The captured 200, behind the agent scheme and the orchestration policy.</summary>
    [HttpGet("/reference/mvc-auth/{instance}")]
    [Authorize(Policy = DatabackerPolicies.Orchestration)]
    public IActionResult GetAuthorized(string instance) => new Result(reference);

    private sealed class Result(ReferenceResponse reference) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => reference.WriteAsync(context.HttpContext);
    }
}
