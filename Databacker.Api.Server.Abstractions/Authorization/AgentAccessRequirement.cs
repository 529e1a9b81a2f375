using Databacker.Api.Server.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Databacker.Api.Server.Authorization;

/// <summary>
/// An agent token must carry the tag's scope and audience, and be bound to the instance in the route: its <c>sub</c>
/// (and <c>client_id</c>, when present) must equal <c>{instance}</c>, so an instance never reaches another's data.
/// </summary>
internal sealed class AgentAccessRequirement(string scope, string audience) : IAuthorizationRequirement
{
    public string Scope { get; } = scope;

    public string Audience { get; } = audience;
}

/// <summary>Evaluates <see cref="AgentAccessRequirement"/>.</summary>
internal sealed class AgentAccessHandler(ILogger<AgentAccessHandler> logger) : AuthorizationHandler<AgentAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AgentAccessRequirement requirement)
    {
        var user = context.User;
        if (!TokenClaims.HasScope(user, requirement.Scope) || !TokenClaims.HasClaimValue(user, "aud", requirement.Audience))
        {
            context.Fail(new AuthorizationFailureReason(this, $"The token needs the scope '{requirement.Scope}' and its audience."));
            return Task.CompletedTask;
        }

        var httpContext = context.Resource as HttpContext;
        var routeInstance = httpContext?.GetRouteValue("instance") as string;
        var subject = user.FindFirst("sub")?.Value;
        var clientId = user.FindFirst("client_id")?.Value;
        if (routeInstance is null || subject is null
            || !string.Equals(subject, routeInstance, StringComparison.Ordinal)
            || (clientId is not null && !string.Equals(clientId, routeInstance, StringComparison.Ordinal)))
        {
            ServerLog.InstanceMismatch(logger, subject ?? "(none)", routeInstance ?? "(none)");
            context.Fail(new InstanceMismatchFailureReason(this));
            return Task.CompletedTask;
        }

        context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>The failure of instance binding, told apart so the 403 names it.</summary>
internal sealed class InstanceMismatchFailureReason(IAuthorizationHandler handler)
    : AuthorizationFailureReason(handler, "The token is bound to another instance than the one in the path.");
