namespace Databacker.Api.Auth.Issuance;

/// <summary>The outcome of <see cref="AccessTokenIssuer.Issue(string, string?)"/>: an access token, or an RFC 6749 error.</summary>
public sealed class AccessTokenIssuanceResult
{
    private AccessTokenIssuanceResult(string? accessToken, int expiresIn, string? scope, string? error, string? errorDescription)
    {
        AccessToken = accessToken;
        ExpiresIn = expiresIn;
        Scope = scope;
        Error = error;
        ErrorDescription = errorDescription;
    }

    /// <summary>Whether a token was issued.</summary>
    public bool IsSuccess => AccessToken is not null;

    /// <summary>The RFC 9068 JWT access token; null on error.</summary>
    public string? AccessToken { get; }

    /// <summary>The <c>token_type</c>, always <c>Bearer</c>.</summary>
    public string TokenType => "Bearer";

    /// <summary>The <c>expires_in</c> value, in seconds; 0 on error.</summary>
    public int ExpiresIn { get; }

    /// <summary>The granted <c>scope</c> (space-separated); null on error.</summary>
    public string? Scope { get; }

    /// <summary>The RFC 6749 error code (e.g. <c>invalid_scope</c>); null on success.</summary>
    public string? Error { get; }

    /// <summary>A human-readable error description; null on success.</summary>
    public string? ErrorDescription { get; }

    internal static AccessTokenIssuanceResult Success(string accessToken, int expiresIn, string scope) => new(accessToken, expiresIn, scope, null, null);

    internal static AccessTokenIssuanceResult Failure(string error, string description) => new(null, 0, null, error, description);
}
