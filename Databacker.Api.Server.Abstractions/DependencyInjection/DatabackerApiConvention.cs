using Databacker.Api.Server.Authorization;
using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Databacker.Api.Server.DependencyInjection;

/// <summary>
/// Applies the API's rules to the actions of the generated controllers: the tag's authorization policy (Auth is
/// anonymous), route parameters bound from the route only (the value authorization checked), and the server's own
/// negotiation in place of MVC's <c>[Produces]</c>/<c>[Consumes]</c>, which know neither added versions nor problem
/// details for 406/415.
/// </summary>
internal sealed class DatabackerApiConvention : IApplicationModelConvention
{
    public void Apply(ApplicationModel application)
    {
        foreach (var controller in application.Controllers)
        {
            foreach (var action in controller.Actions)
            {
                var operation = action.Attributes.OfType<ApiOperationAttribute>().FirstOrDefault();
                var tag = controller.Attributes.OfType<ApiTagAttribute>().FirstOrDefault()?.Tag;
                if (operation is null || tag is null)
                {
                    continue;
                }

                BindRouteParametersToTheRouteOnly(controller, action);
                RemoveAll<ProducesAttribute>(action.Filters);
                RemoveAll<ConsumesAttribute>(action.Filters);
                foreach (var selector in action.Selectors)
                {
                    for (var i = selector.ActionConstraints.Count - 1; i >= 0; i--)
                    {
                        if (selector.ActionConstraints[i] is ConsumesAttribute)
                        {
                            selector.ActionConstraints.RemoveAt(i);
                        }
                    }

                    // Routing's own Content-Type policy reads [Consumes] from the endpoint metadata and would answer a
                    // bare 415 before the negotiation filter could list the supported versions.
                    for (var i = selector.EndpointMetadata.Count - 1; i >= 0; i--)
                    {
                        if (selector.EndpointMetadata[i] is ConsumesAttribute or ProducesAttribute)
                        {
                            selector.EndpointMetadata.RemoveAt(i);
                        }
                    }

                    selector.EndpointMetadata.Add(operation);
                    selector.EndpointMetadata.Add(AuthorizationFor(tag));
                }
            }
        }
    }

    // A parameter named in the route template binds from the route and nothing else. Without a binding source MVC's
    // value providers try a form body first: a GET with a form field "instance=B" would then reach the action as
    // instance B while authorization and the route checks saw the route's instance A.
    private static void BindRouteParametersToTheRouteOnly(ControllerModel controller, ActionModel action)
    {
        var routeNames = controller.Selectors.Concat(action.Selectors)
            .Select(selector => selector.AttributeRouteModel?.Template)
            .OfType<string>()
            .SelectMany(template => RoutePatternFactory.Parse(template).Parameters)
            .Select(parameter => parameter.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in action.Parameters)
        {
            if (routeNames.Contains(parameter.BindingInfo?.BinderModelName ?? parameter.ParameterName))
            {
                parameter.BindingInfo ??= new BindingInfo();
                parameter.BindingInfo.BindingSource = BindingSource.Path;
            }
        }
    }

    private static object AuthorizationFor(string tag) => tag switch
    {
        ApiTags.Orchestration => new AuthorizeAttribute(DatabackerPolicies.Orchestration),
        ApiTags.Reporting => new AuthorizeAttribute(DatabackerPolicies.Reporting),
        ApiTags.Administration => new AuthorizeAttribute(DatabackerPolicies.Administration),
        ApiTags.Auth => new AllowAnonymousAttribute(),

        // A tag this runtime does not know yet is closed, not open.
        _ => new AuthorizeAttribute(DatabackerPolicies.Administration),
    };

    private static void RemoveAll<T>(IList<Microsoft.AspNetCore.Mvc.Filters.IFilterMetadata> filters)
    {
        for (var i = filters.Count - 1; i >= 0; i--)
        {
            if (filters[i] is T)
            {
                filters.RemoveAt(i);
            }
        }
    }
}
