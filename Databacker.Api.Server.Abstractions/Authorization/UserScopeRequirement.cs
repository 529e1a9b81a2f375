using Microsoft.AspNetCore.Authorization;

namespace Databacker.Api.Server.Authorization;

/// <summary>An end-user token must carry the administration scope.</summary>
internal sealed class UserScopeRequirement(string scope, string? agentIssuer = null) : AuthorizationHandler<UserScopeRequirement>, IAuthorizationRequirement
{
    public string Scope { get; } = scope;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, UserScopeRequirement requirement)
    {
        // Also checked when the user scheme validates a token, but an implementer may replace that scheme's events
        // (UserTokens.ConfigureJwtBearer): a token the controller issued to an agent is never a user's, whatever the
        // user scheme was configured to trust.
        if (agentIssuer is not null && context.User.Claims.Any(c => c.Type == "iss" && string.Equals(c.Value, agentIssuer, StringComparison.Ordinal)))
        {
            context.Fail(new AuthorizationFailureReason(this, "Agent tokens are not user tokens."));
        }
        else if (TokenClaims.HasScope(context.User, requirement.Scope))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, $"The token needs the scope '{requirement.Scope}'."));
        }

        return Task.CompletedTask;
    }
}
