using Databacker.Api.Client.Pipeline;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>
/// Checks <see cref="DatabackerClientOptions"/> at start-up, with one message per problem saying what to set: the
/// controller URL (absolute, https or loopback http, no query), the instance id, exactly one of key and key source (a
/// key that can sign), the assertion lifetime, the trusted origins, and every nested group.
/// </summary>
/// <remarks>
/// For <see cref="DatabackerClientServiceCollectionExtensions.AddDatabackerAdministrationClient"/> (no instance
/// identity) the instance id, key, token and discovery settings are not checked, and an end user's token source is
/// required.
/// </remarks>
public sealed class DatabackerClientOptionsValidator : IValidateOptions<DatabackerClientOptions>
{
    // Null for an agent's registration; for an administration-only one, whether the container holds an IUserTokenSource.
    private readonly Func<bool>? _administrationOnlyHasUserTokenSource;

    /// <summary>Creates the validator for an agent's options (<see cref="DatabackerClientServiceCollectionExtensions.AddDatabackerClient"/>).</summary>
    public DatabackerClientOptionsValidator()
    {
    }

    // For AddDatabackerAdministrationClient.
    internal DatabackerClientOptionsValidator(Func<bool> hasUserTokenSource)
    {
        _administrationOnlyHasUserTokenSource = hasUserTokenSource;
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DatabackerClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var agent = _administrationOnlyHasUserTokenSource is null;
        var controller = options.Controller;
        if (controller is null)
        {
            failures.Add("Controller is required: set it to the orchestration URL of your databacker controller, e.g. https://controller.example.com/.");
        }
        else if (!controller.IsAbsoluteUri)
        {
            failures.Add($"Controller must be an absolute URL (e.g. https://controller.example.com/), not '{controller}'.");
        }
        else if (controller.Scheme != Uri.UriSchemeHttps && !(controller.Scheme == Uri.UriSchemeHttp && Origin.IsLoopback(controller)))
        {
            failures.Add($"Controller must use https; plain http is allowed only for a loopback address (localhost, 127.0.0.1, ::1), and '{controller}' is not one: the bearer token would travel in clear text.");
        }
        else if (controller.Query.Length > 0 || controller.Fragment.Length > 0)
        {
            failures.Add($"Controller must have no query or fragment, not '{controller}'.");
        }

        if (agent)
        {
            ValidateInstanceIdentity(options, failures);
        }
        else if (options.UserTokens is null && !_administrationOnlyHasUserTokenSource!())
        {
            failures.Add("UserTokens is required for the administration client: set it to the end user's token source (e.g. new StaticUserTokenSource(token)), or register one with AddDatabackerUserTokens.");
        }

        foreach (var origin in options.TrustedOrigins ?? [])
        {
            if (origin is not { IsAbsoluteUri: true } || (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"TrustedOrigins must hold absolute http or https URLs, not '{origin}'.");
            }
        }

        if (options.Routing is null || options.Resilience is null || options.Idempotency is null || options.MediaTypes is null
            || (agent && (options.Token is null || options.Discovery is null)))
        {
            failures.Add(agent
                ? "Token, Routing, Resilience, Idempotency, MediaTypes and Discovery must not be null."
                : "Routing, Resilience, Idempotency and MediaTypes must not be null.");
        }
        else
        {
            // Without a controller the token issuer is unknown; that is already reported above. An administration-only
            // client fetches no agent token and uses no discovery document.
            if (agent)
            {
                if (options.Token!.Issuer is not null)
                {
                    Nested(nameof(options.Token), options.Token.Validate);
                }

                failures.AddRange(options.Discovery!.Validate().Select(f => $"Discovery.{f}"));
            }

            Nested(nameof(options.Routing), options.Routing.Validate);
            Nested(nameof(options.Resilience), options.Resilience.Validate);
            Nested(nameof(options.Idempotency), options.Idempotency.Validate);
            if (!string.Equals(options.Idempotency.HeaderName, options.Resilience.IdempotencyKeyHeader, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add("Idempotency.HeaderName and Resilience.IdempotencyKeyHeader must be the same header, or POSTs carrying a key are never retried.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Nested(string group, Action validate)
        {
            try
            {
                validate();
            }
            catch (OptionsValidationException ex)
            {
                failures.AddRange(ex.Failures.Select(f => $"{group}.{f}"));
            }
        }
    }

    private static void ValidateInstanceIdentity(DatabackerClientOptions options, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(options.InstanceId))
        {
            failures.Add("InstanceId is required: the id of this databacker instance, as registered with the controller.");
        }

        if (options.Key is null && options.KeySource is null)
        {
            failures.Add("A key is required: set Key to the instance's EcdsaKey, or KeySource to an IInstanceKeySource (e.g. new PemFileKeySource(path)).");
        }
        else if (options.Key is not null && options.KeySource is not null)
        {
            failures.Add("Set either Key or KeySource, not both.");
        }
        else if (options.Key is { HasPrivateKey: false })
        {
            failures.Add("Key is a public key only: the instance needs its private key to sign client assertions.");
        }

        if (options.KeyId is not null && string.IsNullOrWhiteSpace(options.KeyId))
        {
            failures.Add("KeyId must not be blank when set.");
        }

        var lifetime = options.AssertionLifetime;
        if (lifetime <= TimeSpan.Zero || lifetime > TimeSpan.FromSeconds(60) || lifetime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"AssertionLifetime must be a whole number of seconds from 1 to 60, not {lifetime}.");
        }
    }
}
