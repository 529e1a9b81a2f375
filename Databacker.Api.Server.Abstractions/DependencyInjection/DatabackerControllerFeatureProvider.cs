using System.Reflection;
using Databacker.Api.Server.Authentication;
using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Server.DependencyInjection;

/// <summary>
/// Decides which subclasses of the generated controllers are mapped: the built-in Auth controller when enabled (and
/// then no other Auth controller), and only controllers of the tags this endpoint implements.
/// </summary>
internal sealed class DatabackerControllerFeatureProvider(IOptions<DatabackerServerOptions> options) : IApplicationFeatureProvider<ControllerFeature>
{
    public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
    {
        var settings = options.Value;
        var builtIn = typeof(DatabackerAuthController).GetTypeInfo();
        feature.Controllers.Remove(builtIn);
        if (settings.AuthorizationServer.Enabled)
        {
            foreach (var other in feature.Controllers.Where(c => typeof(AuthControllerBase).IsAssignableFrom(c)).ToArray())
            {
                feature.Controllers.Remove(other);
            }

            feature.Controllers.Add(builtIn);
        }

        if (settings.ImplementedTags is { } implemented)
        {
            foreach (var controller in feature.Controllers.ToArray())
            {
                var tag = controller.GetCustomAttribute<ApiTagAttribute>(inherit: true)?.Tag;
                if (tag is not null && !implemented.Contains(tag))
                {
                    feature.Controllers.Remove(controller);
                }
            }
        }
    }
}
