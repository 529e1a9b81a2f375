using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>
/// Builds the client SDK without a host or DI container of your own, for small agents:
/// <c>using var client = new DatabackerClientBuilder(options).Build();</c>, or for administration tools:
/// <c>using var admin = new DatabackerClientBuilder(options).BuildAdministrationClient();</c>. The wiring is exactly
/// that of <see cref="DatabackerClientServiceCollectionExtensions.AddDatabackerClient"/> (or
/// <see cref="DatabackerClientServiceCollectionExtensions.AddDatabackerAdministrationClient"/>), in a private container.
/// </summary>
public sealed class DatabackerClientBuilder
{
    private readonly DatabackerClientOptions _options;
    private ILoggerFactory? _loggerFactory;
    private TimeProvider? _timeProvider;

    /// <summary>Starts a builder.</summary>
    /// <param name="options">The settings: at least controller, instance id and key for <see cref="Build"/>; controller and
    /// user tokens for <see cref="BuildAdministrationClient"/>.</param>
    public DatabackerClientBuilder(DatabackerClientOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>Starts a builder and lets <paramref name="configure"/> fill new options.</summary>
    /// <param name="configure">Sets at least controller, instance id and key for <see cref="Build"/>; controller and
    /// user tokens for <see cref="BuildAdministrationClient"/>.</param>
    public DatabackerClientBuilder(Action<DatabackerClientOptions> configure)
        : this(Configure(configure))
    {
    }

    /// <summary>Logs through <paramref name="loggerFactory"/> (nothing is logged by default).</summary>
    /// <param name="loggerFactory">The logger factory; the built client does not dispose it.</param>
    /// <returns>This builder.</returns>
    public DatabackerClientBuilder WithLoggerFactory(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
        return this;
    }

    /// <summary>Uses <paramref name="timeProvider"/> for every clock, delay and timeout (tests).</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>This builder.</returns>
    public DatabackerClientBuilder WithTimeProvider(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        return this;
    }

    /// <summary>Validates the options and the primary handler, and builds the client.</summary>
    /// <returns>The client; dispose it when done.</returns>
    /// <exception cref="OptionsValidationException">An option is missing or invalid, or the primary handler follows redirects.</exception>
    public DatabackerClient Build() => Build(services => services.AddDatabackerClient(_options.CopyTo), provider => new DatabackerClient(provider));

    /// <summary>
    /// Validates the options and the primary handler, and builds the administration client alone, for a tool that
    /// administers instances without being one: the options need the controller and the end user's token source
    /// (<see cref="DatabackerClientOptions.UserTokens"/>), not an instance id or key. The wiring is that of
    /// <see cref="DatabackerClientServiceCollectionExtensions.AddDatabackerAdministrationClient"/>.
    /// </summary>
    /// <returns>The client; dispose it when done.</returns>
    /// <exception cref="OptionsValidationException">An option is missing or invalid, or the primary handler follows redirects.</exception>
    public DatabackerAdministrationClient BuildAdministrationClient() =>
        Build(services => services.AddDatabackerAdministrationClient(_options.CopyTo), provider => new DatabackerAdministrationClient(provider));

    private T Build<T>(Action<IServiceCollection> register, Func<ServiceProvider, T> create)
    {
        var services = new ServiceCollection();
        if (_loggerFactory is not null)
        {
            services.AddSingleton(_loggerFactory);
        }

        if (_timeProvider is not null)
        {
            services.AddSingleton(_timeProvider);
        }

        register(services);
        var provider = services.BuildServiceProvider();
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return create(provider);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    private static DatabackerClientOptions Configure(Action<DatabackerClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new DatabackerClientOptions();
        configure(options);
        return options;
    }
}
