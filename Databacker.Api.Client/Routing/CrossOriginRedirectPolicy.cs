namespace Databacker.Api.Client.Routing;

/// <summary>What the <see cref="RoutingHandler"/> does with a redirect to an origin that is not trusted.</summary>
public enum CrossOriginRedirectPolicy
{
    /// <summary>Fail with <see cref="Exceptions.RedirectException"/> (<see cref="Exceptions.RedirectFailureReason.UntrustedOrigin"/>). The default.</summary>
    Fail,

    /// <summary>Follow the redirect, but with the bearer token and every configured credential header removed.</summary>
    FollowWithoutCredentials,
}
