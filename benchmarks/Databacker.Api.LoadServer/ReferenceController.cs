using Microsoft.AspNetCore.Mvc;

namespace Databacker.Api.LoadServer;

/// <summary>
/// Reference point for server-throughput.sh <c>--reference</c>: a plain, anonymous MVC action in the api's pipeline
/// (not a generated controller, so no token, policy or negotiation) that binds the route value and writes the same
/// bytes — what MVC alone costs.
/// </summary>
public sealed class ReferenceController(ReferenceResponse reference) : ControllerBase
{
    /// <summary>The captured 200.</summary>
    [HttpGet("/reference/mvc/{instance}")]
    public IActionResult Get(string instance) => new Result(reference);

    private sealed class Result(ReferenceResponse reference) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => reference.WriteAsync(context.HttpContext);
    }
}
