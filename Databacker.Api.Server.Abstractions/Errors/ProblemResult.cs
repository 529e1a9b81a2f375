using Microsoft.AspNetCore.Mvc;

namespace Databacker.Api.Server.Errors;

/// <summary>An MVC result that writes a problem details response through <see cref="ProblemWriter"/>.</summary>
internal sealed class ProblemResult(int status, string type, string? detail, IReadOnlyDictionary<string, object?>? extensions = null) : ActionResult
{
    public int Status { get; } = status;

    public override Task ExecuteResultAsync(ActionContext context) => ProblemWriter.WriteAsync(context.HttpContext, Status, type, detail, extensions);

    /// <summary>
    /// A 400 <see cref="DatabackerProblemTypes.InvalidBody"/> with one error, in the shape model validation gives them:
    /// <c>errors</c> maps the member (<c>$</c> for the body as a whole) to its messages.
    /// </summary>
    public static ProblemResult InvalidBody(string detail, string member, string error, string? extraName = null, object? extraValue = null)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["errors"] = new Dictionary<string, object?>(StringComparer.Ordinal) { [member] = new[] { error } },
        };
        if (extraName is not null)
        {
            extensions[extraName] = extraValue;
        }

        return new ProblemResult(Microsoft.AspNetCore.Http.StatusCodes.Status400BadRequest, DatabackerProblemTypes.InvalidBody, detail, extensions);
    }
}
