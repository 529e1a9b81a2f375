using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.Discovery;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Versioning;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>
/// Everything an agent configures: where the controller is, who the instance is and which key it signs with, plus one
/// nested group per concern of the pipeline. Validated at start-up (see <see cref="DatabackerClientOptionsValidator"/>).
/// </summary>
/// <remarks>
/// A tool registered with <see cref="DatabackerClientServiceCollectionExtensions.AddDatabackerAdministrationClient"/>
/// is no instance: it sets <see cref="Controller"/> and <see cref="UserTokens"/>, and may set
/// <see cref="TrustedOrigins"/>, <see cref="PrimaryHandler"/> and the routing, resilience, idempotency and media type
/// groups; the instance's settings (id, key, assertion, token, discovery) are not used.
/// </remarks>
public sealed class DatabackerClientOptions
{
    /// <summary>
    /// The orchestration URL of the controller, e.g. <c>https://controller.example.com/</c>. Every typed client's base
    /// address, the default token issuer and a trusted origin. Required; https, or http on loopback only.
    /// </summary>
    public Uri? Controller { get; set; }

    /// <summary>This instance's id, as registered with the controller. Required.</summary>
    public string? InstanceId { get; set; }

    /// <summary>The instance's private key (owned by the caller). Set this or <see cref="KeySource"/>.</summary>
    public EcdsaKey? Key { get; set; }

    /// <summary>Where to load the instance's private key from (e.g. <c>PemFileKeySource</c>). Set this or <see cref="Key"/>.</summary>
    public IInstanceKeySource? KeySource { get; set; }

    /// <summary>The <c>kid</c> to send in assertions when the key was registered under an id other than its RFC 7638 thumbprint.</summary>
    public string? KeyId { get; set; }

    /// <summary>The lifetime of a client assertion: whole seconds, 1 to 60. Default 60 seconds.</summary>
    public TimeSpan AssertionLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// More origins that may receive the bearer token, besides the controller, the token issuer and the origins the
    /// discovery document names.
    /// </summary>
    public IList<Uri> TrustedOrigins { get; set; } = new List<Uri>();

    /// <summary>
    /// Creates the primary handler of every client; <see cref="Pipeline.DatabackerPipeline.CreatePrimaryHandler"/> by
    /// default. It must not follow redirects: start-up fails if it does.
    /// </summary>
    public Func<HttpMessageHandler>? PrimaryHandler { get; set; }

    /// <summary>
    /// The end user's tokens for the administration client (e.g. <c>new StaticUserTokenSource(token)</c>); when not set,
    /// an <see cref="IUserTokenSource"/> registered in the container is used. The administration client never sends the
    /// instance's agent token; without a user token source its calls fail with
    /// <see cref="Exceptions.UserTokenRequiredException"/>. An agent that does not administer leaves this unset.
    /// </summary>
    public IUserTokenSource? UserTokens { get; set; }

    /// <summary>Token endpoint and cache settings. <c>Issuer</c> defaults to <see cref="Controller"/>, <c>ClientId</c> to <see cref="InstanceId"/>.</summary>
    public TokenOptions Token { get; set; } = new();

    /// <summary>Redirect handling (301/307/308, 410, 404, cross-origin moves).</summary>
    public RoutingOptions Routing { get; set; } = new();

    /// <summary>Retries, timeouts and circuit breakers.</summary>
    public ResilienceOptions Resilience { get; set; } = new();

    /// <summary><c>Idempotency-Key</c> generation for POST and PATCH.</summary>
    public IdempotencyOptions Idempotency { get; set; } = new();

    /// <summary>Versioned media type checks.</summary>
    public MediaTypeOptions MediaTypes { get; set; } = new();

    /// <summary>Caching of the discovery document.</summary>
    public DiscoveryOptions Discovery { get; set; } = new();

    /// <summary>The key source to sign with: <see cref="KeySource"/>, or one over <see cref="Key"/>.</summary>
    internal IInstanceKeySource? EffectiveKeySource => KeySource ?? (Key is { } key ? new FixedKeySource(key) : null);

    /// <summary>The controller URL with a trailing slash, so relative operation paths stay under its path.</summary>
    internal Uri BaseAddress => DiscoveredEndpoints.WithTrailingSlash(Controller!);

    /// <summary>Copies every setting (nested groups by reference) to <paramref name="target"/>.</summary>
    internal void CopyTo(DatabackerClientOptions target)
    {
        target.Controller = Controller;
        target.InstanceId = InstanceId;
        target.Key = Key;
        target.KeySource = KeySource;
        target.KeyId = KeyId;
        target.AssertionLifetime = AssertionLifetime;
        target.TrustedOrigins = TrustedOrigins;
        target.PrimaryHandler = PrimaryHandler;
        target.UserTokens = UserTokens;
        target.Token = Token;
        target.Routing = Routing;
        target.Resilience = Resilience;
        target.Idempotency = Idempotency;
        target.MediaTypes = MediaTypes;
        target.Discovery = Discovery;
    }
}
