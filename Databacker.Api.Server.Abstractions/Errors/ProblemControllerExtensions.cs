using Databacker.Api.Server.Reporting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Databacker.Api.Server.Errors;

/// <summary>Lets an implementer's action answer with an RFC 9457 problem in the same shape the runtime uses.</summary>
public static class ProblemControllerExtensions
{
    /// <summary>An <c>application/problem+json</c> response.</summary>
    /// <param name="controller">The controller.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="type">A stable problem type, e.g. one of <see cref="DatabackerProblemTypes"/>.</param>
    /// <param name="detail">What went wrong, safe to show to the client.</param>
    /// <param name="extensions">Extra members of the problem document.</param>
    /// <returns>The result.</returns>
    public static ActionResult DatabackerProblem(this ControllerBase controller, int status, string type, string? detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(controller);
        return new ProblemResult(status, type, detail, extensions);
    }

    /// <summary>
    /// The answer to a refused NDJSON log body: 413 when a limit was exceeded, else 400, with the number of the
    /// first bad line in the <c>line</c> member.
    /// </summary>
    /// <param name="controller">The controller.</param>
    /// <param name="error">Why the body was refused.</param>
    /// <returns>The result.</returns>
    public static ActionResult LogBodyProblem(this ControllerBase controller, LogBodyError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return controller.DatabackerProblem(
            error.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
            error.TooLarge ? DatabackerProblemTypes.PayloadTooLarge : DatabackerProblemTypes.InvalidBody,
            error.Reason,
            error.LimitBytes is { } limit
                ? new Dictionary<string, object?> { ["line"] = error.Line, ["limit"] = limit }
                : new Dictionary<string, object?> { ["line"] = error.Line });
    }
}
