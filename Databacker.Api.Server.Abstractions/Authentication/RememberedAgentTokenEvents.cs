using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Databacker.Api.Server.Authentication;

/// <summary>
/// The agent scheme's <see cref="JwtBearerEvents"/>: a bearer token whose validation <see cref="CachingJsonWebTokenHandler"/>
/// remembers is answered from that memory when the message is received, before <see cref="JwtBearerHandler"/> copies
/// its <c>TokenValidationParameters</c> and builds the validation contexts for it — the per-request cost of a token an
/// agent presents again and again.
/// </summary>
/// <remarks>
/// The token is read from the <c>Authorization</c> header exactly as <see cref="JwtBearerHandler"/> reads it (a single
/// header value, <c>Bearer </c> ignoring case, the rest trimmed), so the cache is consulted with the very string a full
/// validation would have validated and remembered; anything else — no header, several values, a token set by another
/// event, a token not remembered or no longer current — takes the handler's full path unchanged, so failures are
/// validated (and logged, and challenged) exactly as before. A hit gets its own copy of the identity and the same ticket
/// properties (<c>IssuedUtc</c>, <c>ExpiresUtc</c>) a full validation sets. Once an implementer hooks
/// <see cref="JwtBearerEvents.OnTokenValidated"/> (e.g. to check revocation), every request takes the full path, so
/// that hook sees every request as it did before.
/// </remarks>
internal sealed class RememberedAgentTokenEvents : JwtBearerEvents
{
    private const string BearerPrefix = "Bearer ";
    private readonly CachingJsonWebTokenHandler _handler;
    private readonly Func<TokenValidatedContext, Task> _defaultTokenValidated;

    public RememberedAgentTokenEvents(CachingJsonWebTokenHandler handler)
    {
        _handler = handler;
        _defaultTokenValidated = OnTokenValidated;
    }

    public override async Task MessageReceived(MessageReceivedContext context)
    {
        await base.MessageReceived(context).ConfigureAwait(false);
        if (context.Result is not null || !string.IsNullOrEmpty(context.Token)
            || !ReferenceEquals(OnTokenValidated, _defaultTokenValidated))
        {
            return;
        }

        var authorization = context.Request.Headers.Authorization;
        if (authorization.Count != 1 || authorization[0] is not { } value
            || !value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var token = value[BearerPrefix.Length..].Trim();
        if (token.Length == 0 || !_handler.TryGetRemembered(token, out var identity, out var validFrom, out var validTo))
        {
            return;
        }

        context.Principal = new ClaimsPrincipal(identity);
        context.Properties.IssuedUtc = SafeDateTime(validFrom);
        context.Properties.ExpiresUtc = SafeDateTime(validTo);
        context.Success();
    }

    // As JwtBearerHandler does: an unset date (MinValue) is no date.
    private static DateTimeOffset? SafeDateTime(DateTime value) =>
        value == DateTime.MinValue ? null : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
