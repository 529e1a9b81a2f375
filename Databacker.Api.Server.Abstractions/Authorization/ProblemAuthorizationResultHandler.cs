using Databacker.Api.Server.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Databacker.Api.Server.Authorization;

/// <summary>Lets the schemes challenge or forbid as usual, then gives a 403 a problem details body saying why.</summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    // Success (nearly every request) goes straight on, as the default handler would, without a state machine around it.
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        authorizeResult.Succeeded ? next(context) : HandleFailureAsync(next, context, policy, authorizeResult);

    private async Task HandleFailureAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
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
