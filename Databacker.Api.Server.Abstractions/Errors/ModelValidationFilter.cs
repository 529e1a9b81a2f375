using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Databacker.Api.Server.Errors;

/// <summary>
/// Answers an invalid body or parameter (malformed JSON, wrong types, missing required members, failed validation)
/// with 400 problem details listing the errors, before the action runs. The token endpoint is left to answer with
/// RFC 6749 errors itself.
/// </summary>
internal sealed class ModelValidationFilter : IActionFilter
{
    public void OnActionExecuting(ActionExecutingContext context)
    {
        var operation = context.ActionDescriptor.EndpointMetadata.OfType<ApiOperationAttribute>().FirstOrDefault();
        if (operation is null || context.ModelState.IsValid || operation.OperationId == "Auth_Token")
        {
            return;
        }

        var errors = context.ModelState
            .Where(e => e.Value is { Errors.Count: > 0 })
            .ToDictionary(
                e => e.Key.Length == 0 ? "$" : e.Key,
                e => (object?)e.Value!.Errors.Select(error => string.IsNullOrEmpty(error.ErrorMessage) ? "The value is invalid." : error.ErrorMessage).ToArray(),
                StringComparer.Ordinal);
        var bodyError = context.ActionDescriptor.Parameters.Any(p => p.BindingInfo?.BindingSource == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body);
        context.Result = new ProblemResult(StatusCodes.Status400BadRequest,
            bodyError ? DatabackerProblemTypes.InvalidBody : DatabackerProblemTypes.InvalidParameter,
            "The request is invalid; see errors.",
            new Dictionary<string, object?> { ["errors"] = errors });
    }

    public void OnActionExecuted(ActionExecutedContext context)
    {
    }
}
