using Microsoft.AspNetCore.Authorization;

namespace Databacker.Api.Server.Authorization;

/// <summary>An end-user token must carry the administration scope.</summary>
internal sealed class UserScopeRequirement(string scope) : AuthorizationHandler<UserScopeRequirement>, IAuthorizationRequirement
{
    public string Scope { get; } = scope;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, UserScopeRequirement requirement)
    {
        if (TokenClaims.HasScope(context.User, requirement.Scope))
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
