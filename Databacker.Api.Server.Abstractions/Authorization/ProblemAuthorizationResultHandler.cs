using Databacker.Api.Server.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Databacker.Api.Server.Authorization;

/// <summary>Lets the schemes challenge or forbid as usual, then gives a 403 a problem details body saying why; an agent
/// token whose key could not be checked is a 503.</summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    // Success (nearly every request) goes straight on, as the default handler would, without a state machine around it.
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        authorizeResult.Succeeded ? next(context) : HandleFailureAsync(next, context, policy, authorizeResult);

    private async Task HandleFailureAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // An agent token that could not be checked against the instance's keys (the store did not answer): neither a bad
        // token (a 401 would make every agent fetch a new token, from the same store) nor a pass, but a 503 to retry.
        // Decided here, from the scheme's own (cached) result, so that no events an implementer sets can change it.
        if (authorizeResult.Challenged && policy.AuthenticationSchemes.Contains(Authentication.DatabackerAuthenticationSchemes.Agent)
            && Authentication.InstanceKeysUnavailableException.IsIn((await context.AuthenticateAsync(Authentication.DatabackerAuthenticationSchemes.Agent).ConfigureAwait(false)).Failure))
        {
            context.Response.Headers.RetryAfter = "30";
            await ProblemWriter.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, DatabackerProblemTypes.AboutBlank,
                "The controller cannot check the instance's keys right now; retry later.").ConfigureAwait(false);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
        if (!authorizeResult.Forbidden || context.Response.HasStarted)
        {
            return;
        }

        var reasons = authorizeResult.AuthorizationFailure?.FailureReasons ?? [];
        var mismatch = reasons.OfType<InstanceMismatchFailureReason>().FirstOrDefault();
        var type = mismatch is not null ? DatabackerProblemTypes.InstanceMismatch : DatabackerProblemTypes.Forbidden;
        var detail = mismatch?.Message ?? reasons.FirstOrDefault()?.Message ?? "The access token does not allow this operation.";
        await ProblemWriter.WriteAsync(context, StatusCodes.Status403Forbidden, type, detail).ConfigureAwait(false);
    }
}
