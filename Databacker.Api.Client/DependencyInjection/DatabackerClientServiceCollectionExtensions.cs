using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.Configuration;
using Databacker.Api.Client.Discovery;
using Databacker.Api.Client.Pipeline;
using Databacker.Api.Client.Reporting;
using Databacker.Api.Client.Resilience;
using Databacker.Api.Client.Routing;
using Databacker.Api.Client.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>Registers the databacker client SDK in a service collection.</summary>
public static class DatabackerClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers the typed clients (<see cref="IOrchestrationClient"/>, <see cref="IReportingClient"/>,
    /// <see cref="IAdministrationClient"/>, <see cref="IAuthClient"/>) through <c>IHttpClientFactory</c>, each in the
    /// documented pipeline (<see cref="DatabackerPipeline"/>) over a primary handler with automatic redirects off;
    /// the shared route table, trusted origins and access-token provider; the discovery service, which routes the
    /// orchestration and reporting clients; and <see cref="ConfigurationClient"/>. The options are validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets at least <see cref="DatabackerClientOptions.Controller"/>,
    /// <see cref="DatabackerClientOptions.InstanceId"/> and <see cref="DatabackerClientOptions.Key"/> (or <see cref="DatabackerClientOptions.KeySource"/>).</param>
    /// <returns>The service collection.</returns>
    /// <remarks>
    /// The administration client never carries this instance's agent token: administration routes need an end user's
    /// token, from <see cref="DatabackerClientOptions.UserTokens"/> or an <see cref="IUserTokenSource"/> registered with
    /// <see cref="AddDatabackerUserTokens{TSource}"/>. Without one, administration calls fail with
    /// <see cref="Exceptions.UserTokenRequiredException"/> before anything is sent.
    /// <para>Logging: each call of these four clients is logged once by the SDK, at <c>Debug</c>, after its retries and
    /// redirects (category <c>Databacker.Api.Client.Resilience.ResilienceHandler</c>, event 1203 for an answer, 1204
    /// for a failure; the URL without its query), and <c>IHttpClientFactory</c>'s default logging handlers are left out
    /// of them. Loggers the application adds (<c>AddLogger</c>, for these clients or through
    /// <c>ConfigureHttpClientDefaults</c>, before or after this call) are kept. To have the factory's default logs as
    /// well, add them back for a client, for example
    /// <c>services.AddHttpClient(DatabackerClientNames.Orchestration).AddDefaultLogger()</c>.</para>
    /// <para>Calling it again (a library and the application both do) adds only that call's configuration, applied
    /// after the earlier ones; the clients keep one pipeline.</para>
    /// </remarks>
    /// <exception cref="InvalidOperationException"><see cref="AddDatabackerAdministrationClient"/> was called on <paramref name="services"/>.</exception>
    public static IServiceCollection AddDatabackerClient(this IServiceCollection services, Action<DatabackerClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (!Register(services, configure, agent: true))
        {
            return services;
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatabackerClientOptions>, DatabackerClientOptionsValidator>());
        services.TryAddSingleton<IClientAssertionProvider>(sp =>
        {
            var o = Options(sp);
            return new InstanceKeyAssertionProvider(o.EffectiveKeySource!, o.InstanceId!, o.AssertionLifetime, o.KeyId, Time(sp));
        });
        services.TryAddSingleton<IAccessTokenClient>(sp => new TokenClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(DatabackerClientNames.Token),
            Options(sp).Token,
            sp.GetRequiredService<IClientAssertionProvider>(),
            Time(sp),
            sp.GetService<ILogger<TokenClient>>()));
        services.TryAddSingleton(sp => new AccessTokenProvider(
            sp.GetRequiredService<IAccessTokenClient>(), Options(sp).Token, Time(sp), sp.GetService<ILogger<AccessTokenProvider>>()));

        // Orchestration and reporting tokens have different audiences, so each service gets its own token.
        foreach (var scope in new[] { OrchestrationScope, ReportingScope })
        {
            services.TryAddKeyedSingleton<AccessTokenProvider>(scope, (sp, _) =>
            {
                var token = Options(sp).Token.ForScope(scope);
                var client = new TokenClient(
                    sp.GetRequiredService<IHttpClientFactory>().CreateClient(DatabackerClientNames.Token),
                    token,
                    sp.GetRequiredService<IClientAssertionProvider>(),
                    Time(sp),
                    sp.GetService<ILogger<TokenClient>>());
                return new AccessTokenProvider(client, token, Time(sp), sp.GetService<ILogger<AccessTokenProvider>>());
            });
        }
        services.TryAddSingleton<IEndpointDiscovery>(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            var o = Options(sp);
            return new EndpointDiscovery(
                () => new OrchestrationClient(factory.CreateClient(DatabackerClientNames.Orchestration)),
                o.InstanceId!,
                sp.GetRequiredService<TrustedOriginRegistry>(),
                o.Discovery,
                Time(sp),
                sp.GetService<ILogger<EndpointDiscovery>>());
        });
        services.TryAddTransient(sp => new ConfigurationClient(sp.GetRequiredService<IOrchestrationClient>(), Options(sp).InstanceId!));

        // The token client logs its own progress (metadata read, token obtained, endpoint busy), never the factory's lines.
        WithoutDefaultLogging(services.AddHttpClient(DatabackerClientNames.Token)).ConfigurePrimaryHttpMessageHandler(CreatePrimary);
        AddPipeline(
            services.AddHttpClient<IOrchestrationClient, OrchestrationClient>(DatabackerClientNames.Orchestration, ConfigureClient)
                .AddHttpMessageHandler(sp =>
                {
                    var o = Options(sp);
                    return new OrchestrationRouteHandler(
                        sp.GetRequiredService<IEndpointDiscovery>(), o.BaseAddress, o.InstanceId!, o.Discovery, Time(sp), sp.GetService<ILogger<OrchestrationRouteHandler>>());
                }),
            authenticated: true,
            OrchestrationScope);
        AddPipeline(
            services.AddHttpClient<IReportingClient, ReportingClient>(DatabackerClientNames.Reporting, ConfigureClient)
                .AddHttpMessageHandler(sp => new ReportingRouteHandler(
                    sp.GetRequiredService<IEndpointDiscovery>(), Options(sp).BaseAddress, sp.GetService<ILogger<ReportingRouteHandler>>())),
            authenticated: true,
            ReportingScope);
        AddPipeline(AddAdministrationClient(services), authenticated: true, endUser: true);
        AddPipeline(services.AddHttpClient<IAuthClient, AuthClient>(DatabackerClientNames.Auth, ConfigureClient), authenticated: false);
        return services;
    }

    /// <summary>
    /// Registers <see cref="IAdministrationClient"/> alone, for a tool that administers instances without being one
    /// (an operator's command line, a dashboard, a provisioning job): the same pipeline as
    /// <see cref="AddDatabackerClient"/>'s administration client (idempotency keys, retries, routing, media types)
    /// with the end user's token, and no instance id, key or agent token.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets at least <see cref="DatabackerClientOptions.Controller"/>, and
    /// <see cref="DatabackerClientOptions.UserTokens"/> unless an <see cref="IUserTokenSource"/> is registered with
    /// <see cref="AddDatabackerUserTokens{TSource}"/>. The instance settings (id, key, token, discovery) are not used.</param>
    /// <returns>The service collection.</returns>
    /// <remarks>
    /// The options are validated when the host starts: the controller URL, the trusted origins, the pipeline's groups,
    /// and that an end user's token source is set. An agent that also administers calls <see cref="AddDatabackerClient"/>
    /// alone, which registers the administration client too; calling both throws. Calling it again adds only that
    /// call's configuration.
    /// </remarks>
    /// <exception cref="InvalidOperationException"><see cref="AddDatabackerClient"/> was called on <paramref name="services"/>.</exception>
    public static IServiceCollection AddDatabackerAdministrationClient(this IServiceCollection services, Action<DatabackerClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (!Register(services, configure, agent: false))
        {
            return services;
        }

        // Whether a user token source is registered, without creating it (it may be scoped, or read these options).
        services.AddSingleton<IValidateOptions<DatabackerClientOptions>>(sp => new DatabackerClientOptionsValidator(
            () => sp.GetRequiredService<IServiceProviderIsService>().IsService(typeof(IUserTokenSource))));
        AddPipeline(AddAdministrationClient(services), authenticated: true, endUser: true);
        return services;
    }

    /// <summary>
    /// Registers <typeparamref name="TSource"/> as the end user's token source of the administration client, for a source
    /// that needs services from the container (an OIDC token cache, the signed-in user's session). Ignored when
    /// <see cref="DatabackerClientOptions.UserTokens"/> is set.
    /// </summary>
    /// <typeparam name="TSource">The token source; registered as a singleton. For a per-request user (a dashboard),
    /// register it scoped instead (<c>services.AddScoped&lt;IUserTokenSource, TSource&gt;()</c>): an
    /// <see cref="IAdministrationClient"/> resolved in a scope sends the token of that scope's source.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddDatabackerUserTokens<TSource>(this IServiceCollection services)
        where TSource : class, IUserTokenSource
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IUserTokenSource, TSource>();
        return services;
    }

    // Adds the options configuration and, on the first call, what both registrations share. Returns false when the
    // same registration was made before: the clients and their pipeline are registered once (a second pipeline would
    // retry within retries), and a later call only adds its configuration, like a second Configure.
    private static bool Register(IServiceCollection services, Action<DatabackerClientOptions> configure, bool agent)
    {
        var registered = DatabackerClientRegistration.Find(services);
        if (registered is not null && registered.Agent != agent)
        {
            throw new InvalidOperationException(agent
                ? "AddDatabackerAdministrationClient was called before AddDatabackerClient. AddDatabackerClient registers the administration client too: call it alone, and set DatabackerClientOptions.UserTokens for the end user's token."
                : "AddDatabackerClient was called before AddDatabackerAdministrationClient, and already registers IAdministrationClient: set DatabackerClientOptions.UserTokens there instead.");
        }

        if (!agent && services.Any(d => d.ServiceType == typeof(ReportingSender)))
        {
            throw ReportingSenderServiceCollectionExtensions.NeedsAgentClients();
        }

        services.AddOptions<DatabackerClientOptions>().Configure(configure).ValidateOnStart();
        if (registered is not null)
        {
            return false;
        }

        services.AddSingleton(new DatabackerClientRegistration(agent));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<DatabackerClientOptions>, DatabackerClientOptionsPostConfigure>());
        services.AddOptions<PrimaryHandlerCheck>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PrimaryHandlerCheck>, PrimaryHandlerCheck.Validator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, RedirectGuardFilter>());
        services.TryAddSingleton<RouteTable>();
        services.TryAddSingleton(sp =>
        {
            var o = Options(sp);
            Uri[] own = agent ? [o.Controller!, o.Token.Issuer!] : [o.Controller!];
            return new TrustedOriginRegistry(own.Concat(o.TrustedOrigins ?? []));
        });
        services.TryAddSingleton<CircuitBreakerRegistry>();
        return true;
    }

    // The administration client is created in the caller's scope, and takes the end user's token source from there (a
    // scoped source, the signed-in user's, is that user's; the handlers live in a scope of their own, shared by callers).
    private static IHttpClientBuilder AddAdministrationClient(IServiceCollection services)
    {
        var builder = services.AddHttpClient(DatabackerClientNames.Administration, ConfigureClient);
        builder.AddTypedClient<IAdministrationClient>((http, sp) => new AdministrationClient(http)
        {
            CallerUserTokens = Options(sp).UserTokens is null ? CallerSource(sp) : null,
        });
        return builder;
    }

    // The caller's source; none (the handler's own is used, as before) when the client is resolved from the root
    // provider and the source is scoped, which scope validation refuses there (a singleton holding the client).
    private static IUserTokenSource? CallerSource(IServiceProvider sp)
    {
        try
        {
            return sp.GetService<IUserTokenSource>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    // Handlers are added outermost first, in the order DatabackerPipeline documents.
    private static void AddPipeline(IHttpClientBuilder builder, bool authenticated, string? scope = null, bool endUser = false)
    {
        WithoutDefaultLogging(builder);
        builder
            .ConfigurePrimaryHttpMessageHandler(CreatePrimary)
            .AddHttpMessageHandler(sp =>
            {
                var o = Options(sp);
                return new RequestOverridesHandler(o.Resilience, o.Routing, o.Idempotency, o.MediaTypes);
            })
            .AddHttpMessageHandler(sp => new IdempotencyHandler(Options(sp).Idempotency))
            .AddHttpMessageHandler(sp => new ResilienceHandler(
                Options(sp).Resilience, Time(sp), sp.GetService<ILogger<ResilienceHandler>>(), sp.GetRequiredService<CircuitBreakerRegistry>()))
            .AddHttpMessageHandler(sp => new RoutingHandler(
                Options(sp).Routing, sp.GetRequiredService<RouteTable>(), sp.GetRequiredService<TrustedOriginRegistry>(), sp.GetService<ILogger<RoutingHandler>>()));
        if (endUser)
        {
            builder.AddHttpMessageHandler(sp => new UserTokenHandler(
                Options(sp).UserTokens ?? sp.GetService<IUserTokenSource>(),
                sp.GetRequiredService<TrustedOriginRegistry>(),
                sp.GetService<ILogger<UserTokenHandler>>()));
        }
        else if (authenticated)
        {
            builder.AddHttpMessageHandler(sp => new AccessTokenHandler(
                scope is null ? sp.GetRequiredService<AccessTokenProvider>() : sp.GetRequiredKeyedService<AccessTokenProvider>(scope),
                sp.GetRequiredService<TrustedOriginRegistry>(),
                sp.GetService<ILogger<AccessTokenHandler>>()));
        }

        builder.AddHttpMessageHandler(sp => new MediaTypeHandler(Options(sp).MediaTypes, sp.GetService<ILogger<MediaTypeHandler>>()));
    }

    // IHttpClientFactory's default logging handlers (two more layers and four Information lines per call) are left out
    // of the SDK's API clients: the ResilienceHandler logs each call once, at Debug, after retries and redirects.
    // RemoveAllLoggers() would also drop the loggers an application added before AddDatabackerClient (for every client,
    // through ConfigureHttpClientDefaults, or for this one), so its configuration goes first in the service collection:
    // it then runs before every other configuration of the client, whatever the order of registration, and removes
    // only the factory's default logging. AddDefaultLogger() on the client brings that back.
    private static IHttpClientBuilder WithoutDefaultLogging(IHttpClientBuilder builder)
    {
        var probe = new ServiceCollection();
        var probed = probe.AddHttpClient(builder.Name);
        var before = probe.Count;
        probed.RemoveAllLoggers();
        var configuration = probe.Skip(before).ToArray();
        for (var i = configuration.Length - 1; i >= 0; i--)
        {
            builder.Services.Insert(0, configuration[i]);
        }

        return builder;
    }

    private const string OrchestrationScope = "orchestration";
    private const string ReportingScope = "reporting";

    private static HttpMessageHandler CreatePrimary(IServiceProvider sp) =>
        Options(sp).PrimaryHandler?.Invoke() ?? DatabackerPipeline.CreatePrimaryHandler();

    private static void ConfigureClient(IServiceProvider sp, HttpClient http)
    {
        http.BaseAddress = Options(sp).BaseAddress;

        // The resilience handler owns attempt and total timeouts; HttpClient's own 100 s would cut retries short.
        http.Timeout = Timeout.InfiniteTimeSpan;
    }

    private static DatabackerClientOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<DatabackerClientOptions>>().Value;

    private static TimeProvider Time(IServiceProvider sp) => sp.GetService<TimeProvider>() ?? TimeProvider.System;
}
