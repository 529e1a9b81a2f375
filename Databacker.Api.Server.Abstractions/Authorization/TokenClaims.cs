using System.Security.Claims;

namespace Databacker.Api.Server.Authorization;

/// <summary>Reads scopes from a token's claims: <c>scope</c> (space-separated, RFC 9068) and <c>scp</c> (one claim per scope or space-separated).</summary>
internal static class TokenClaims
{
    public static IEnumerable<string> Scopes(ClaimsPrincipal user) =>
        user.FindAll("scope").Concat(user.FindAll("scp")).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
