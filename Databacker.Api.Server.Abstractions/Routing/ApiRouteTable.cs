using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Routing;

namespace Databacker.Api.Server.Routing;

/// <summary>
/// Every operation of the API, read by reflection from the generated abstract controllers' <see cref="ApiTagAttribute"/>,
/// <see cref="ApiOperationAttribute"/>, HTTP method, route and media-type attributes. Nothing is maintained by hand: a new
/// operation in <c>openapi.yaml</c> appears here on the next build.
/// </summary>
public sealed class ApiRouteTable
{
    private ApiRouteTable(IReadOnlyList<ApiRoute> routes)
    {
        Routes = routes;
        Tags = routes.Select(r => r.Tag).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every operation, grouped by tag in contract order.</summary>
    public IReadOnlyList<ApiRoute> Routes { get; }

    /// <summary>The tags that have at least one operation.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Builds the table from the generated controllers of this assembly.</summary>
    /// <returns>The route table.</returns>
    public static ApiRouteTable FromGeneratedControllers() => FromControllers(
        typeof(ApiRouteTable).Assembly.GetTypes().Where(t => t.IsAbstract && t.IsPublic && t.GetCustomAttribute<ApiTagAttribute>(inherit: false) is not null));

    /// <summary>Builds the table from the given controller types (each carrying <see cref="ApiTagAttribute"/>).</summary>
    /// <param name="controllerTypes">The controller types.</param>
    /// <returns>The route table.</returns>
    public static ApiRouteTable FromControllers(IEnumerable<Type> controllerTypes)
    {
        ArgumentNullException.ThrowIfNull(controllerTypes);
        var routes = new List<ApiRoute>();
        foreach (var type in controllerTypes)
        {
            var tag = type.GetCustomAttribute<ApiTagAttribute>(inherit: true)?.Tag
                ?? throw new ArgumentException($"{type} has no [ApiTag].", nameof(controllerTypes));
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                var operation = method.GetCustomAttribute<ApiOperationAttribute>(inherit: true);
                var template = method.GetCustomAttribute<RouteAttribute>(inherit: true)?.Template;
                if (operation is null || template is null)
                {
                    continue;
                }

                var produces = method.GetCustomAttribute<ProducesAttribute>(inherit: true)?.ContentTypes.ToArray() ?? [];
                var consumes = method.GetCustomAttribute<ConsumesAttribute>(inherit: true)?.ContentTypes.ToArray() ?? [];
                foreach (var httpMethod in method.GetCustomAttributes<HttpMethodAttribute>(inherit: true).SelectMany(a => a.HttpMethods))
                {
                    routes.Add(new ApiRoute(tag, operation.OperationId, httpMethod.ToUpperInvariant(), template.TrimStart('/'), produces, consumes, method));
                }
            }
        }

        // Stable: operations keep the contract's order within a tag.
        return new ApiRouteTable([.. routes.OrderBy(r => TagOrder(r.Tag))]);
    }

    /// <summary>Finds the operation with an id.</summary>
    /// <param name="operationId">The operation id.</param>
    /// <returns>The operation, or null.</returns>
    public ApiRoute? FindOperation(string operationId) => Routes.FirstOrDefault(r => string.Equals(r.OperationId, operationId, StringComparison.Ordinal));

    /// <summary>The operations whose path template matches a request path, for any method.</summary>
    /// <param name="path">The request path, starting with <c>/</c>.</param>
    /// <returns>The matching operations; empty when the path is not part of the API.</returns>
    public IReadOnlyList<ApiRoute> MatchPath(string path) => Routes.Where(r => r.MatchesPath(path)).ToArray();

    private static int TagOrder(string tag)
    {
        for (var i = 0; i < ApiTags.All.Count; i++)
        {
            if (string.Equals(ApiTags.All[i], tag, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
