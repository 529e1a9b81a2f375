using Databacker.Api.Server.Authorization;

namespace Databacker.Api.Server.DependencyInjection;

/// <summary>
/// Agent access tokens (RFC 9068, <c>typ</c> <c>at+jwt</c>, ES256) issued by this controller's token endpoint or by
/// another endpoint of the same deployment.
/// </summary>
public sealed class AgentTokenOptions
{
    /// <summary>The most clock skew that may be allowed.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The issuer identifier (RFC 8414 <c>issuer</c>) of agent tokens, e.g. <c>https://controller.example.com</c>: the
    /// <c>iss</c> of issued tokens and the <c>aud</c> client assertions must carry. Required.
    /// </summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>
    /// The audience of each scope, so a token for one service is refused by the other. When empty, <c>orchestration</c>
    /// → <c>{Issuer}/orchestration</c> and <c>reporting</c> → <c>{Issuer}/reporting</c>.
    /// </summary>
    public IDictionary<string, string> ScopeAudiences { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Lifetime of tokens issued here. Default 10 minutes.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Clock skew allowed when validating tokens. Default and maximum 30 seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = MaxClockSkew;

    /// <summary>
    /// The key set (<c>jwks_uri</c>) of the endpoint that issues the tokens, for split deployments where this endpoint
    /// has no token endpoint. When null, tokens are verified with this controller's <c>SigningKeyRing</c>.
    /// </summary>
    public Uri? JwksUri { get; set; }

    /// <summary>The handler used to fetch <see cref="JwksUri"/>; null for a default <c>HttpClientHandler</c>.</summary>
    public HttpMessageHandler? JwksBackchannelHandler { get; set; }

    /// <summary>
    /// How long a successfully validated token is remembered, so repeated calls with the same token skip the signature
    /// check; never longer than the token's own lifetime. Default 1 minute; <see cref="TimeSpan.Zero"/> validates every
    /// request in full. A signing key removed from the trusted set stops being honoured within this time, and so does a
    /// token whose instance, or the instance key it was obtained with, is no longer in the registered
    /// <c>IInstanceKeyStore</c> (checked on each full validation; without a store, or on an endpoint that trusts another
    /// endpoint's key set through <see cref="JwksUri"/>, tokens run to their expiry). While the store cannot answer, a key
    /// this server found registered in the last 10 minutes is trusted, and any other token is answered 503 with
    /// <c>Retry-After</c>.
    /// </summary>
    public TimeSpan ValidationCacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most validated tokens remembered at once (see <see cref="ValidationCacheDuration"/>). Default 10,000.</summary>
    public int ValidationCacheSize { get; set; } = 10_000;

    /// <summary>The audiences in effect: <see cref="ScopeAudiences"/>, or the defaults derived from <see cref="Issuer"/>.</summary>
    /// <returns>Scope → audience.</returns>
    public IReadOnlyDictionary<string, string> GetEffectiveScopeAudiences()
    {
        if (ScopeAudiences.Count > 0)
        {
            return new Dictionary<string, string>(ScopeAudiences, StringComparer.Ordinal);
        }

        var issuer = Issuer.TrimEnd('/');
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AgentScopes.Orchestration] = issuer + "/orchestration",
            [AgentScopes.Reporting] = issuer + "/reporting",
        };
    }
}
