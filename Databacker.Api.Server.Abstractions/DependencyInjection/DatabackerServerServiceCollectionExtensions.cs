using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Replay;
using Databacker.Api.Auth.Validation;
using Databacker.Api.Server.Authentication;
using Databacker.Api.Server.Authorization;
using Databacker.Api.Server.Errors;
using Databacker.Api.Server.Negotiation;
using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Newtonsoft.Json.Serialization;

namespace Databacker.Api.Server.DependencyInjection;

/// <summary>Registers the databacker server runtime.</summary>
public static class DatabackerServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers everything a databacker controller endpoint needs: MVC with Newtonsoft.Json formatters for the vendor
    /// <c>+json</c> media types, media-type negotiation, partial-endpoint answers (301/410/404), problem details,
    /// request limits, the agent and user authentication schemes with their policies, and the built-in Auth controller.
    /// Subclass the generated controllers of the tags this endpoint serves, register an
    /// <see cref="IInstanceKeyStore"/> (when serving the Auth tag), then call <c>app.MapDatabackerServer()</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the server; <see cref="DatabackerServerOptions.ImplementedTags"/> and
    /// <see cref="AuthorizationServerOptions.Enabled"/> are read from this delegate.</param>
    /// <returns>The MVC builder, e.g. to add application parts.</returns>
    public static IMvcBuilder AddDatabackerServer(this IServiceCollection services, Action<DatabackerServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var snapshot = new DatabackerServerOptions();
        configure(snapshot);

        services.AddOptions<DatabackerServerOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatabackerServerOptions>, DatabackerServerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => ApiRouteTable.FromGeneratedControllers());
        services.TryAddSingleton<OperationMediaTypes>();
        services.TryAddSingleton<NegotiationFilter>();

        AddTokenServices(services);
        AddAuthentication(services);
        AddAuthorization(services);
        services.AddHealthChecks().AddCheck<Diagnostics.SigningKeyHealthCheck>("databacker-signing-key");

        return services
            .AddControllers(mvc =>
            {
                mvc.Conventions.Add(new DatabackerApiConvention());
                // A singleton without per-request state: reusable, so MVC caches it with the action's filters
                // instead of resolving it and building the filter list again on every request.
                mvc.Filters.Add(new ServiceFilterAttribute(typeof(NegotiationFilter)) { IsReusable = true });
                mvc.Filters.Add(new ModelValidationFilter());
            })
            // Members this contract does not know must survive a round trip unchanged: strings are not parsed as dates
            // (ContractJsonSettings); typed timestamps are RFC 3339 with an offset.
            .AddNewtonsoftJson(json =>
            {
                Contracts.Serialization.ContractJsonSettings.Apply(json.SerializerSettings);

                // Members as the contract types them: an explicit null or a value of another JSON type is a 400 (keeps MVC's naming).
                // Only MVC's own resolver is replaced: one the application set itself (a subclass) is kept as it is.
                if (json.SerializerSettings.ContractResolver is DefaultContractResolver mvcResolver && mvcResolver.GetType() == typeof(DefaultContractResolver))
                {
                    json.SerializerSettings.ContractResolver = new Binding.StrictContractResolver { NamingStrategy = mvcResolver.NamingStrategy };
                }

                // A registration key with a private part or unknown members is refused, not silently trimmed.
                json.SerializerSettings.Converters.Add(new Binding.StrictJwkConverter());
            })
            .ConfigureApplicationPartManager(parts => parts.FeatureProviders.Add(new DatabackerControllerFeatureProvider(Options.Create(snapshot))));
    }

    private static void AddTokenServices(IServiceCollection services)
    {
        services.TryAddSingleton(sp => new SigningKeyRing(null, sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IReplayCache>(sp => new InMemoryReplayCache(sp.GetService<TimeProvider>()));
        services.TryAddSingleton<ClientAssertionValidator>();
        services.TryAddSingleton<AccessTokenIssuer>();
        services.AddOptions<ClientAssertionValidationOptions>().Configure<IOptions<DatabackerServerOptions>>((assertions, server) =>
        {
            assertions.Issuer = server.Value.AgentTokens.Issuer;
            assertions.ClockSkew = server.Value.AgentTokens.ClockSkew;
        });
        services.AddOptions<AccessTokenIssuanceOptions>().Configure<IOptions<DatabackerServerOptions>>((issuance, server) =>
        {
            var agent = server.Value.AgentTokens;
            issuance.Issuer = agent.Issuer;
            issuance.TokenLifetime = agent.TokenLifetime;
            foreach (var (scope, audience) in agent.GetEffectiveScopeAudiences())
            {
                issuance.ScopeAudiences[scope] = audience;
            }
        });
    }

    private static void AddAuthentication(IServiceCollection services)
    {
        services.AddAuthentication()
            .AddJwtBearer(DatabackerAuthenticationSchemes.Agent, _ => { })
            .AddJwtBearer(DatabackerAuthenticationSchemes.User, _ => { });

        services.AddOptions<JwtBearerOptions>(DatabackerAuthenticationSchemes.Agent)
            .Configure<IOptions<DatabackerServerOptions>, IServiceProvider>((jwt, server, provider) => ConfigureAgentScheme(jwt, server.Value.AgentTokens, provider));
        services.AddOptions<JwtBearerOptions>(DatabackerAuthenticationSchemes.User)
            .Configure<IOptions<DatabackerServerOptions>>((jwt, server) => ConfigureUserScheme(jwt, server.Value));
    }

    private static void ConfigureAgentScheme(JwtBearerOptions jwt, AgentTokenOptions agent, IServiceProvider provider)
    {
        jwt.MapInboundClaims = false;
        jwt.IncludeErrorDetails = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = agent.Issuer,
            ValidAudiences = agent.GetEffectiveScopeAudiences().Values.Distinct(StringComparer.Ordinal).ToArray(),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidTypes = ["at+jwt", "application/at+jwt"],
            ClockSkew = agent.ClockSkew,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            NameClaimType = "sub",
        };
        // Always this handler: besides remembering validations, it refuses a token whose instance key was removed, where
        // this endpoint's key store is the issuer's (tokens signed by its own key ring); an endpoint that trusts another
        // endpoint's key set may hold no store, or another one.
        var handler = new CachingJsonWebTokenHandler(
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            agent.ValidationCacheDuration > TimeSpan.Zero ? agent.ValidationCacheDuration : TimeSpan.Zero,
            agent.ValidationCacheSize,
            agent.JwksUri is null && provider.GetService<IServiceProviderIsService>()?.IsService(typeof(IInstanceKeyStore)) != false
                ? provider.GetRequiredService<IServiceScopeFactory>()
                : null,
            provider.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()?.CreateLogger("Databacker.Api.Server.Authentication"));
        jwt.TokenHandlers.Clear();
        jwt.TokenHandlers.Add(handler);
        // A remembered token is answered when the message is received, before the handler's per-request work.
        jwt.Events = agent.ValidationCacheDuration > TimeSpan.Zero ? new RememberedAgentTokenEvents(handler) : new JwtBearerEvents();


        if (agent.JwksUri is null)
        {
            var resolver = new SigningKeyRingKeyResolver(provider.GetRequiredService<SigningKeyRing>());
            jwt.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, kid, _) => resolver.Resolve(kid);
        }
        else
        {
            var client = new HttpClient(agent.JwksBackchannelHandler ?? new HttpClientHandler(), disposeHandler: agent.JwksBackchannelHandler is null);
            jwt.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                agent.JwksUri.AbsoluteUri,
                new JwksConfigurationRetriever(agent.Issuer),
                new HttpDocumentRetriever(client) { RequireHttps = !agent.JwksUri.IsLoopback })
            {
                // In step with the issuer's key ring (a new key is published 10 minutes before it signs, a retired one
                // is dropped soon after): the library's 12-hour default would keep trusting a pruned key for hours,
                // and learn a new one only from the first token it fails to verify.
                AutomaticRefreshInterval = KeySetRefreshInterval,
                RefreshInterval = KeySetRefreshAfterUnknownKey,
            };
        }
    }

    // How often a verifier in a split deployment re-reads the issuer's key set, and how soon after a token signed by an
    // unknown key it may read it again.
    internal static readonly TimeSpan KeySetRefreshInterval = TimeSpan.FromMinutes(5);
    internal static readonly TimeSpan KeySetRefreshAfterUnknownKey = TimeSpan.FromMinutes(1);

    private static void ConfigureUserScheme(JwtBearerOptions jwt, DatabackerServerOptions server)
    {
        var user = server.UserTokens;
        jwt.MapInboundClaims = false;
        jwt.IncludeErrorDetails = false;
        jwt.Authority = user.Authority;
        jwt.MetadataAddress = user.MetadataAddress!;
        jwt.Audience = user.Audience;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAudience = user.Audience,
            ValidIssuer = user.Issuer,
            IssuerSigningKeys = user.SigningKeys.ToArray(),
            ValidAlgorithms = user.ValidAlgorithms.ToArray(),
            ClockSkew = user.ClockSkew,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            NameClaimType = "sub",
        };
        var agentIssuer = server.AgentTokens.Issuer;
        jwt.Events = new JwtBearerEvents
        {
            // Belt and braces: even if the user authority were misconfigured to trust the controller's keys, a token
            // issued to an agent is never a user token.
            OnTokenValidated = context =>
            {
                if (string.Equals(context.Principal?.FindFirst("iss")?.Value, agentIssuer, StringComparison.Ordinal))
                {
                    context.Fail("Agent tokens are not accepted as user tokens.");
                }

                return Task.CompletedTask;
            },
        };
        user.ConfigureJwtBearer?.Invoke(jwt);
    }

    private static void AddAuthorization(IServiceCollection services)
    {
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<DatabackerServerOptions>>((authorization, server) =>
        {
            var audiences = server.Value.AgentTokens.GetEffectiveScopeAudiences();
            authorization.AddPolicy(DatabackerPolicies.Orchestration, policy => policy
                .AddAuthenticationSchemes(DatabackerAuthenticationSchemes.Agent)
                .RequireAuthenticatedUser()
                .AddRequirements(new AgentAccessRequirement(AgentScopes.Orchestration, audiences.GetValueOrDefault(AgentScopes.Orchestration) ?? string.Empty)));
            authorization.AddPolicy(DatabackerPolicies.Reporting, policy => policy
                .AddAuthenticationSchemes(DatabackerAuthenticationSchemes.Agent)
                .RequireAuthenticatedUser()
                .AddRequirements(new AgentAccessRequirement(AgentScopes.Reporting, audiences.GetValueOrDefault(AgentScopes.Reporting) ?? string.Empty)));
            authorization.AddPolicy(DatabackerPolicies.Administration, policy => policy
                .AddAuthenticationSchemes(DatabackerAuthenticationSchemes.User)
                .RequireAuthenticatedUser()
                .AddRequirements(new UserScopeRequirement(server.Value.UserTokens.RequiredScope, server.Value.AgentTokens.Issuer)));
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, AgentAccessHandler>());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
    }
}
