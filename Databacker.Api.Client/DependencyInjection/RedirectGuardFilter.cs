using Databacker.Api.Client.Pipeline;
using Microsoft.Extensions.Http;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>
/// Runs after every configuration of the databacker named clients (so it sees a primary handler the user replaced)
/// and fails if that handler follows redirects itself.
/// </summary>
internal sealed class RedirectGuardFilter : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        if (builder.Name is { } name && DatabackerClientNames.All.Contains(name))
        {
            try
            {
                DatabackerPipeline.EnsureAutomaticRedirectsDisabled(builder.PrimaryHandler);
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidOperationException($"The HTTP client '{name}': {ex.Message}", ex);
            }
        }
    };
}
