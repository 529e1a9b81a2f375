using Microsoft.AspNetCore.Mvc;

namespace Databacker.Api.Server.Errors;

/// <summary>An MVC result that writes a problem details response through <see cref="ProblemWriter"/>.</summary>
internal sealed class ProblemResult(int status, string type, string? detail, IReadOnlyDictionary<string, object?>? extensions = null) : ActionResult
{
    public int Status { get; } = status;

    public override Task ExecuteResultAsync(ActionContext context) => ProblemWriter.WriteAsync(context.HttpContext, Status, type, detail, extensions);
}
