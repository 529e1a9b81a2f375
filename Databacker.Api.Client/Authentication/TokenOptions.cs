using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.Authentication;

/// <summary>Options of the <see cref="TokenClient"/> and <see cref="AccessTokenProvider"/>.</summary>
public sealed class TokenOptions
{
    /// <summary>
    /// The authorization server's issuer identifier (usually the orchestration URL). The metadata is read from
    /// <c>/.well-known/oauth-authorization-server</c> on it (RFC 8414 §3) and its <c>issuer</c> must equal this value;
    /// when that metadata has moved permanently (301/308) to another issuer's metadata, the issuer it names instead.
    /// </summary>
    public Uri? Issuer { get; set; }

    /// <summary>The instance id, sent as <c>client_id</c> (optional with client assertions, checked against <c>sub</c> by the server).</summary>
    public string? ClientId { get; set; }

    /// <summary>The scope to ask for, space-separated; none by default (the server's default scope).</summary>
    public string? Scope { get; set; }

    /// <summary>The fraction of a token's lifetime after which it is refreshed in the background. Default 0.8, from 0.1 to 0.95.</summary>
    public double RefreshAheadRatio { get; set; } = 0.8;

    /// <summary>A token is no longer used this long before it expires (clock skew, time in flight). Default 5 s.</summary>
    public TimeSpan ExpirationSkew { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After a failed background refresh, how long to keep serving the old token before trying again. Default 10 s.</summary>
    public TimeSpan BackgroundRefreshRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The lifetime assumed when the token endpoint omits <c>expires_in</c>. Default 5 minutes.</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest <c>Retry-After</c> (429/503 from the token endpoint) the client waits; longer fails. Default 30 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a token request is tried when the server answers 429/503 with <c>Retry-After</c>. Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The time limit of one token fetch, metadata included; it runs independently of any caller's cancellation. Default 30 s.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A copy that requests <paramref name="scope"/>, unless a scope was configured explicitly.</summary>
    internal TokenOptions ForScope(string scope)
    {
        var copy = (TokenOptions)MemberwiseClone();
        copy.Scope ??= scope;
        return copy;
    }

    /// <summary>Checks the values.</summary>
    /// <exception cref="OptionsValidationException">A value is missing or out of range.</exception>
    public void Validate()
    {
        var failures = new List<string>();
        if (Issuer is not { IsAbsoluteUri: true } || (Issuer.Scheme != Uri.UriSchemeHttps && !(Issuer.Scheme == Uri.UriSchemeHttp && Pipeline.Origin.IsLoopback(Issuer))))
        {
            failures.Add($"{nameof(Issuer)} must be an absolute https URI (http only on loopback).");
        }

        if (Issuer is { IsAbsoluteUri: true } && (Issuer.Query.Length > 0 || Issuer.Fragment.Length > 0))
        {
            failures.Add($"{nameof(Issuer)} must have no query or fragment (RFC 8414 §2).");
        }

        if (RefreshAheadRatio is < 0.1 or > 0.95 || double.IsNaN(RefreshAheadRatio))
        {
            failures.Add($"{nameof(RefreshAheadRatio)} must be between 0.1 and 0.95.");
        }

        Positive(ExpirationSkew, nameof(ExpirationSkew), allowZero: true);
        Positive(BackgroundRefreshRetryDelay, nameof(BackgroundRefreshRetryDelay), allowZero: true);
        Positive(DefaultLifetime, nameof(DefaultLifetime), allowZero: false);
        Positive(MaxRetryAfter, nameof(MaxRetryAfter), allowZero: true);
        Positive(FetchTimeout, nameof(FetchTimeout), allowZero: false);
        if (MaxAttempts is < 1 or > 10)
        {
            failures.Add($"{nameof(MaxAttempts)} must be between 1 and 10.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(TokenOptions), typeof(TokenOptions), failures);
        }

        void Positive(TimeSpan value, string name, bool allowZero)
        {
            if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
            {
                failures.Add($"{name} must be {(allowZero ? "zero or more" : "more than zero")}.");
            }
        }
    }

    internal TokenOptions Copy() => (TokenOptions)MemberwiseClone();
}
