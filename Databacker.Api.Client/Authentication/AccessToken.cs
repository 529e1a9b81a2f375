namespace Databacker.Api.Client.Authentication;

/// <summary>An access token issued to this instance. Its <see cref="ToString"/> never shows the token.</summary>
public sealed class AccessToken
{
    /// <summary>Creates a token.</summary>
    /// <param name="value">The token itself.</param>
    /// <param name="issuedAt">When it was requested (by the client's clock).</param>
    /// <param name="expiresAt">When it expires (by the client's clock).</param>
    /// <param name="scope">The granted scope, if the server said.</param>
    public AccessToken(string value, DateTimeOffset issuedAt, DateTimeOffset expiresAt, string? scope = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        if (expiresAt <= issuedAt)
        {
            throw new ArgumentException("A token must expire after it is issued.", nameof(expiresAt));
        }

        Value = value;
        IssuedAt = issuedAt;
        ExpiresAt = expiresAt;
        Scope = scope;
    }

    /// <summary>The bearer token. Never log it.</summary>
    public string Value { get; }

    /// <summary>When the token was requested.</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary>When the token expires.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The granted scope, if known.</summary>
    public string? Scope { get; }

    /// <summary>The lifetime the server granted.</summary>
    public TimeSpan Lifetime => ExpiresAt - IssuedAt;

    /// <inheritdoc />
    public override string ToString() => $"AccessToken(expires {ExpiresAt:O}, scope '{Scope}')";
}
