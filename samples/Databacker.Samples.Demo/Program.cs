// The demo prints the API surface generated from openapi.yaml at build time: every operation the
// abstract controllers route, with its media types. The full end-to-end story (controller + agent)
// replaces this once the samples land.
using System.Reflection;
using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Routing;

var controllers = typeof(ApiTagAttribute).Assembly.GetTypes()
    .Where(t => t.IsAbstract && t.GetCustomAttribute<ApiTagAttribute>() is not null)
    .OrderBy(t => t.Name);

var count = 0;
foreach (var controller in controllers)
{
    Console.WriteLine($"{controller.GetCustomAttribute<ApiTagAttribute>()!.Tag} ({controller.Name})");
    foreach (var action in controller.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
    {
        var verb = string.Join(",", action.GetCustomAttributes<HttpMethodAttribute>().SelectMany(a => a.HttpMethods));
        var route = action.GetCustomAttribute<RouteAttribute>()?.Template;
        var produces = string.Join(" ", action.GetCustomAttribute<ProducesAttribute>()?.ContentTypes ?? []);
        var consumes = string.Join(" ", action.GetCustomAttribute<ConsumesAttribute>()?.ContentTypes ?? []);
        Console.WriteLine($"  {verb,-6} /{route,-45} {action.GetCustomAttribute<ApiOperationAttribute>()?.OperationId,-32} {produces}{(consumes.Length > 0 ? " <- " + consumes : "")}");
        count++;
    }
}

Console.WriteLine($"{count} operations generated from openapi.yaml.");
return count > 0 ? 0 : 1;
