using Databacker.Api.Auth.Validation;
using Databacker.Api.Server.Errors;
using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Server.DependencyInjection;

/// <summary>Adds the databacker server's middleware and endpoints to an application.</summary>
public static class DatabackerServerApplicationExtensions
{
    private const string ContractResource = "Databacker.Api.Server.openapi.yaml";

    /// <summary>
    /// Adds, in this order: problem details for exceptions and bodiless errors, routing, the partial-endpoint answers
    /// (301/410/405/404), per-operation body limits, path parameter validation, query parameter checks (unknown, repeated or empty), authentication and authorization; then
    /// maps the controllers, <c>/openapi.yaml</c> and the health endpoint. Call it instead of <c>UseRouting</c>,
    /// <c>UseAuthentication</c>, <c>UseAuthorization</c> and <c>MapControllers</c>.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns>The application.</returns>
    /// <exception cref="InvalidOperationException">The built-in Auth controller is enabled but no <see cref="IInstanceKeyStore"/> is registered.</exception>
    public static WebApplication MapDatabackerServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<DatabackerServerOptions>>().Value;
        var servesAuth = options.AuthorizationServer.Enabled && (options.ImplementedTags?.Contains(ApiTags.Auth) ?? true);
        if (servesAuth && app.Services.GetService<IInstanceKeyStore>() is null)
        {
            throw new InvalidOperationException(
                "The built-in token endpoint needs an IInstanceKeyStore: register one, or set AuthorizationServer.Enabled = false.");
        }

        app.UseMiddleware<ProblemExceptionMiddleware>();
        app.UseMiddleware<StatusCodeProblemMiddleware>();
        app.UseRouting();
        app.UseMiddleware<PartialEndpointMiddleware>();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseMiddleware<RouteParameterValidationMiddleware>();
        app.UseMiddleware<QueryParameterValidationMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapControllers();
        if (options.ServeContract)
        {
            app.MapGet("/openapi.yaml", ServeContractAsync).AllowAnonymous();
        }

        if (options.HealthPath is { } healthPath)
        {
            app.MapHealthChecks(healthPath).AllowAnonymous();
        }

        return app;
    }

    private static async Task ServeContractAsync(HttpContext context)
    {
        await using var stream = typeof(DatabackerServerApplicationExtensions).Assembly.GetManifestResourceStream(ContractResource)
            ?? throw new InvalidOperationException("The contract is not embedded in the assembly.");
        context.Response.ContentType = "application/yaml";
        context.Response.ContentLength = stream.Length;
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
