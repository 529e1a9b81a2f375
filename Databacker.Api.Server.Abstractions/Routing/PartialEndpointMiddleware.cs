using Databacker.Api.Server.DependencyInjection;
using Databacker.Api.Server.Diagnostics;
using Databacker.Api.Server.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Server.Routing;

/// <summary>
/// Answers requests that no endpoint of this server matched, from the route table: an operation of the API this
/// endpoint does not serve gets 301 to the configured endpoint of its tag (same path and query) or 410; a path of the
/// API with a method it does not have gets 405; anything else gets 404. Runs after routing.
/// </summary>
internal sealed class PartialEndpointMiddleware(RequestDelegate next, ApiRouteTable routeTable, IOptions<DatabackerServerOptions> options, ILogger<PartialEndpointMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not null)
        {
            return next(context);
        }

        var request = context.Request;
        var path = request.Path.HasValue ? request.Path.Value! : "/";
        var candidates = routeTable.MatchPath(path);
        if (candidates.Count == 0)
        {
            return ProblemWriter.WriteAsync(context, StatusCodes.Status404NotFound, DatabackerProblemTypes.NotFound, "The path is not part of the API.");
        }

        var route = candidates.FirstOrDefault(r => string.Equals(r.HttpMethod, request.Method, StringComparison.OrdinalIgnoreCase));
        if (route is null)
        {
            var allowed = string.Join(", ", candidates.Select(r => r.HttpMethod).Distinct(StringComparer.Ordinal));
            context.Response.Headers.Allow = allowed;
            return ProblemWriter.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, DatabackerProblemTypes.MethodNotAllowed,
                $"The path is part of the API with the methods {allowed}.");
        }

        if (options.Value.TagLocations.TryGetValue(route.Tag, out var location))
        {
            var target = location.AbsoluteUri.TrimEnd('/') + request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
            ServerLog.RedirectingOperation(logger, route.OperationId, target);
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = target;
            return Task.CompletedTask;
        }

        ServerLog.OperationGone(logger, route.OperationId);
        return ProblemWriter.WriteAsync(context, StatusCodes.Status410Gone, DatabackerProblemTypes.NotServedHere,
            $"The operation {route.OperationId} ({route.Tag}) is part of the API, but this endpoint does not serve it and knows no endpoint that does.",
            new Dictionary<string, object?> { ["operationId"] = route.OperationId, ["tag"] = route.Tag });
    }
}
