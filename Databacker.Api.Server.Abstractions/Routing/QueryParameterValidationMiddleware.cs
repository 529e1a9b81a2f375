using System.Collections.Frozen;
using Databacker.Api.Server.Errors;
using Microsoft.AspNetCore.Http;

namespace Databacker.Api.Server.Routing;

/// <summary>
/// Checks the query string of an operation that declares query parameters against the declaration in the generated
/// route table, before authentication or any implementer code sees it: a parameter the operation does not declare, or
/// is answered 400 <see cref="DatabackerProblemTypes.UnknownParameter"/>; a declared one given more than once or
/// without a value 400 <see cref="DatabackerProblemTypes.InvalidParameter"/>. Each names the parameter.
/// Ranges, lengths and patterns are checked by the validation attributes the template puts on the parameters.
/// Operations without query parameters ignore the query string (cache busters and the like do no harm there).
/// </summary>
internal sealed class QueryParameterValidationMiddleware
{
    private readonly RequestDelegate _next;
    private readonly FrozenDictionary<string, (FrozenSet<string> Names, string List)> _declared;

    public QueryParameterValidationMiddleware(RequestDelegate next, ApiRouteTable routeTable)
    {
        _next = next;
        _declared = routeTable.Routes
            .Where(r => r.QueryParameters.Count > 0)
            .ToFrozenDictionary(
                r => r.OperationId,
                r => (r.QueryParameters.ToFrozenSet(StringComparer.Ordinal), string.Join(", ", r.QueryParameters)),
                StringComparer.Ordinal);
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.QueryString.HasValue
            || context.GetEndpoint()?.Metadata.GetMetadata<ApiOperationAttribute>() is not { } operation
            || !_declared.TryGetValue(operation.OperationId, out var declared))
        {
            return _next(context);
        }

        foreach (var (name, values) in context.Request.Query)
        {
            // Names are compared exactly: 'Limit' is not 'limit' (model binding would accept it, the contract does not).
            if (!declared.Names.Contains(name))
            {
                return Reject(context, DatabackerProblemTypes.UnknownParameter, name,
                    $"The query parameter '{name}' is not part of this operation; it accepts: {declared.List}.");
            }

            if (values.Count > 1)
            {
                return Reject(context, DatabackerProblemTypes.InvalidParameter, name, $"The query parameter '{name}' must be given at most once.");
            }

            if (string.IsNullOrEmpty(values[0]))
            {
                return Reject(context, DatabackerProblemTypes.InvalidParameter, name, $"The query parameter '{name}' has no value; omit it or give one.");
            }
        }

        return _next(context);
    }

    private static Task Reject(HttpContext context, string type, string parameter, string detail) =>
        ProblemWriter.WriteAsync(context, StatusCodes.Status400BadRequest, type, detail,
            new Dictionary<string, object?> { ["parameter"] = parameter });
}
