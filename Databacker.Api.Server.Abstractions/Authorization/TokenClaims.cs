using System.Security.Claims;

namespace Databacker.Api.Server.Authorization;

/// <summary>Reads scopes from a token's claims: <c>scope</c> (space-separated, RFC 9068) and <c>scp</c> (one claim per scope or space-separated).</summary>
internal static class TokenClaims
{
    /// <summary>Whether any <c>scope</c> or <c>scp</c> claim lists <paramref name="scope"/> exactly (ordinal; claim types compared like <see cref="ClaimsPrincipal.FindAll(string)"/>, ignoring case).</summary>
    /// <remarks>Runs on every authorized request, so it scans the claims once and splits no strings.</remarks>
    public static bool HasScope(ClaimsPrincipal user, string scope) =>
        scope.Length > 0 && AnyClaim(user, scope, static (claim, wanted) =>
            (IsType(claim, "scope") || IsType(claim, "scp")) && ListsScope(claim.Value, wanted));

    /// <summary>Whether any claim of <paramref name="type"/> (compared like <see cref="ClaimsPrincipal.FindAll(string)"/>, ignoring case) has exactly <paramref name="value"/> (ordinal).</summary>
    public static bool HasClaimValue(ClaimsPrincipal user, string type, string value) =>
        AnyClaim(user, (Type: type, Value: value), static (claim, wanted) =>
            IsType(claim, wanted.Type) && string.Equals(claim.Value, wanted.Value, StringComparison.Ordinal));

    // One pass over every identity's claims, no LINQ and no closure (the state travels beside a static predicate).
    private static bool AnyClaim<TState>(ClaimsPrincipal user, TState state, Func<Claim, TState, bool> matches)
    {
        foreach (var identity in user.Identities)
        {
            foreach (var claim in identity.Claims)
            {
                if (matches(claim, state))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsType(Claim claim, string type) => string.Equals(claim.Type, type, StringComparison.OrdinalIgnoreCase);

    private static bool ListsScope(string list, string scope)
    {
        foreach (var range in list.AsSpan().Split(' '))
        {
            if (list.AsSpan(range).SequenceEqual(scope))
            {
                return true;
            }
        }

        return false;
    }
}
