using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Databacker.Api.Server.Errors;

/// <summary>
/// Answers an invalid body or parameter (malformed JSON, wrong types, missing required members, failed validation,
/// query values outside the contract's ranges) with 400 problem details listing the errors, before the action runs.
/// An error in a path, query or header parameter is <see cref="DatabackerProblemTypes.InvalidParameter"/> with a
/// <c>parameter</c> member naming it; anything else is <see cref="DatabackerProblemTypes.InvalidBody"/>. The token
/// endpoint is left to answer with RFC 6749 errors itself.
/// </summary>
internal sealed class ModelValidationFilter : IActionFilter
{
    public void OnActionExecuting(ActionExecutingContext context)
    {
        if ((UnknownKind(context) ?? UnknownService(context)) is { } unknown)
        {
            context.Result = unknown;
            return;
        }

        // Valid model state (nearly every request) first: the operation is looked up only when there is something to answer.
        if (context.ModelState.IsValid
            || context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<ApiOperationAttribute>() is not { } operation
            || operation.OperationId == "Auth_Token")
        {
            return;
        }

        var errors = context.ModelState
            .Where(e => e.Value is { Errors.Count: > 0 })
            .ToDictionary(
                e => e.Key.Length == 0 ? "$" : e.Key,
                e => (object?)e.Value!.Errors.Select(error => string.IsNullOrEmpty(error.ErrorMessage) ? "The value is invalid." : error.ErrorMessage).ToArray(),
                StringComparer.Ordinal);
        var parameter = FirstInvalidParameter(context);
        var extensions = new Dictionary<string, object?> { ["errors"] = errors };
        if (parameter is not null)
        {
            extensions["parameter"] = parameter;
        }

        context.Result = new ProblemResult(StatusCodes.Status400BadRequest,
            parameter is null ? DatabackerProblemTypes.InvalidBody : DatabackerProblemTypes.InvalidParameter,
            parameter is null ? SeeErrors : $"The parameter '{parameter}' is invalid; see errors.",
            extensions);
    }

    public void OnActionExecuted(ActionExecutedContext context)
    {
    }

    private const string SeeErrors = "The request is invalid; see errors.";

    // The kinds the contract defines, as the generated [JsonInheritance] attributes of ConfigDocument name them.
    private static readonly string Kinds = string.Join(", ", typeof(Contracts.ConfigDocument).GetCustomAttributesData()
        .Where(a => a.AttributeType.Name == "JsonInheritanceAttribute" && a.ConstructorArguments.Count > 0)
        .Select(a => $"'{a.ConstructorArguments[0].Value}'"));

    // A configuration of a kind this contract does not define (none, null, or one of a newer version) is read as the
    // base type, keeping its kind, so that clients can carry it; a controller cannot act on it, so a body is refused.
    private static ProblemResult? UnknownKind(ActionExecutingContext context)
    {
        foreach (var argument in context.ActionArguments.Values)
        {
            if (argument is Contracts.ConfigDocument document && document.GetType() == typeof(Contracts.ConfigDocument))
            {
                var kind = document.AdditionalProperties.TryGetValue("kind", out var value) ? value : null;
                return ProblemResult.InvalidBody(SeeErrors, "kind",
                    kind is null ? $"'kind' is required: one of {Kinds}." : $"'kind' must be one of {Kinds}, not '{kind}'.");
            }
        }

        return null;
    }

    // Services are the controller's to provide: one this contract does not define ("Scheduling", "bogus") would be stored
    // and never served, so an instance given it would be refused what it was meant to have.
    private static ProblemResult? UnknownService(ActionExecutingContext context)
    {
        foreach (var argument in context.ActionArguments.Values)
        {
            var services = argument switch
            {
                Contracts.InstanceCreate create => create.Services,
                Contracts.InstanceUpdate update => update.Services,
                _ => null,
            };
            foreach (var service in services ?? [])
            {
                if (service.IsKnown)
                {
                    continue;
                }

                var known = string.Join(", ", Contracts.ServiceName.Known.Select(k => $"'{k}'"));
                return ProblemResult.InvalidBody(SeeErrors, "services", $"'services' may hold only {known}, not '{service.Value}'.");
            }
        }

        return null;
    }

    /// <summary>The wire name of the first path, query or header parameter with an error, or null when only the body has errors.</summary>
    private static string? FirstInvalidParameter(ActionExecutingContext context)
    {
        foreach (var parameter in context.ActionDescriptor.Parameters)
        {
            // Path parameters carry no explicit source (it is inferred from the route); bodies, forms and streams are not parameters.
            var source = parameter.BindingInfo?.BindingSource;
            if (source is not null && source != BindingSource.Query && source != BindingSource.Header && source != BindingSource.Path
                && source != BindingSource.ModelBinding)
            {
                continue;
            }

            var name = parameter.BindingInfo?.BinderModelName ?? parameter.Name;
            if (context.ModelState.TryGetValue(name, out var entry) && entry.Errors.Count > 0)
            {
                return name;
            }
        }

        return null;
    }
}
