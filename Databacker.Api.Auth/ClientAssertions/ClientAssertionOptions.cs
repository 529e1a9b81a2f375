using Microsoft.Extensions.Options;

namespace Databacker.Api.Auth.ClientAssertions;

/// <summary>Settings for <see cref="ClientAssertionFactory"/>.</summary>
public sealed class ClientAssertionOptions
{
    /// <summary>The instance id; becomes <c>iss</c> and <c>sub</c> of every assertion. Required.</summary>
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>
    /// The controller's issuer identifier (the RFC 8414 <c>issuer</c> metadata value); becomes <c>aud</c>. Required.
    /// Never the token endpoint URL: an audience the server does not own lets it be tricked into relaying the
    /// assertion (CVE-2025-27370/27371).
    /// </summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>Lifetime of an assertion; whole seconds, more than zero and at most 60 seconds. Default 60 seconds.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(ClientAssertionConstants.MaxLifetimeSeconds);

    /// <summary>
    /// The <c>kid</c> to send when the controller registered the key under an id other than its RFC 7638 thumbprint.
    /// Default: the thumbprint.
    /// </summary>
    public string? KeyId { get; set; }

    internal void Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(InstanceId))
        {
            failures.Add($"{nameof(InstanceId)} is required.");
        }

        if (!Uri.TryCreate(Audience, UriKind.Absolute, out _))
        {
            failures.Add($"{nameof(Audience)} must be the controller's issuer identifier, an absolute URI.");
        }

        if (Lifetime <= TimeSpan.Zero || Lifetime > TimeSpan.FromSeconds(ClientAssertionConstants.MaxLifetimeSeconds) || Lifetime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"{nameof(Lifetime)} must be a whole number of seconds between 1 and {ClientAssertionConstants.MaxLifetimeSeconds}.");
        }

        if (KeyId is not null && string.IsNullOrWhiteSpace(KeyId))
        {
            failures.Add($"{nameof(KeyId)} must not be blank when set.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(ClientAssertionOptions), typeof(ClientAssertionOptions), failures);
        }
    }
}
