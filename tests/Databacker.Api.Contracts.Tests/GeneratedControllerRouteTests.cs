using System.Reflection;
using Databacker.Api.Server;
using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Routing;

namespace Databacker.Api.Contracts.Tests;

public class GeneratedControllerRouteTests
{
    private static IReadOnlyList<(string Method, string Path, string OperationId, string Tag)> GeneratedRoutes()
    {
        var routes = new List<(string, string, string, string)>();
        var controllers = typeof(ApiTagAttribute).Assembly.GetTypes()
            .Where(t => t.IsAbstract && typeof(ControllerBase).IsAssignableFrom(t) && t.GetCustomAttribute<ApiTagAttribute>() is not null);
        foreach (var controller in controllers)
        {
            var tag = controller.GetCustomAttribute<ApiTagAttribute>()!.Tag;
            foreach (var action in controller.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                var template = action.GetCustomAttribute<RouteAttribute>()?.Template;
                var operationId = action.GetCustomAttribute<ApiOperationAttribute>()?.OperationId;
                foreach (var method in action.GetCustomAttributes<HttpMethodAttribute>().SelectMany(a => a.HttpMethods))
                {
                    routes.Add((method, "/" + template, operationId ?? "(none)", tag));
                }
            }
        }

        return routes;
    }

    [Test]
    public void Every_spec_operation_has_exactly_one_generated_action_and_nothing_else_is_routed()
    {
        var spec = SpecOperations.Read(RepositoryRoot.Combine("openapi.yaml"))
            .Select(o => $"{o.Method} {o.Path} {o.OperationId} {o.Tag}").Order().ToList();
        var generated = GeneratedRoutes()
            .Select(o => $"{o.Method} {o.Path} {o.OperationId} {o.Tag}").Order().ToList();

        Assert.That(spec, Is.Not.Empty);
        Assert.That(generated, Is.EqualTo(spec), "generated routes and spec operations differ");
    }

    [Test]
    public void Every_generated_action_is_abstract_and_takes_a_cancellation_token()
    {
        var actions = typeof(OrchestrationControllerBase).Assembly.GetTypes()
            .Where(t => t.IsAbstract && t.GetCustomAttribute<ApiTagAttribute>() is not null)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .ToList();

        Assert.That(actions, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var action in actions)
            {
                Assert.That(action.IsAbstract, Is.True, action.Name);
                Assert.That(action.GetParameters().Last().ParameterType, Is.EqualTo(typeof(CancellationToken)), action.Name);
            }
        });
    }
}
