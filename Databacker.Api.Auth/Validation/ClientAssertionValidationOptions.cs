using Databacker.Api.Auth.ClientAssertions;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Auth.Validation;

/// <summary>Settings for <see cref="ClientAssertionValidator"/>, validated when the validator is created.</summary>
public sealed class ClientAssertionValidationOptions
{
    /// <summary>The most clock skew that may be allowed.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>
    /// This controller's issuer identifier (RFC 8414 <c>issuer</c>). An assertion's <c>aud</c> must be exactly this
    /// one string. Required.
    /// </summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>The longest accepted <c>exp</c> - <c>iat</c>. Default and maximum 60 seconds.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromSeconds(ClientAssertionConstants.MaxLifetimeSeconds);

    /// <summary>Clock skew allowed between client and server. Default and maximum 30 seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = MaxClockSkew;

    /// <summary>The largest accepted assertion, in bytes. Default 8192; between 1024 and 65536.</summary>
    public int MaxTokenSize { get; set; } = 8192;

    internal void Validate()
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(Issuer, UriKind.Absolute, out _))
        {
            failures.Add($"{nameof(Issuer)} must be this controller's issuer identifier, an absolute URI.");
        }

        if (MaxLifetime <= TimeSpan.Zero || MaxLifetime > TimeSpan.FromSeconds(ClientAssertionConstants.MaxLifetimeSeconds))
        {
            failures.Add($"{nameof(MaxLifetime)} must be more than zero and at most {ClientAssertionConstants.MaxLifetimeSeconds} seconds.");
        }

        if (ClockSkew < TimeSpan.Zero || ClockSkew > MaxClockSkew)
        {
            failures.Add($"{nameof(ClockSkew)} must be between zero and {MaxClockSkew.TotalSeconds} seconds.");
        }

        if (MaxTokenSize is < 1024 or > 65536)
        {
            failures.Add($"{nameof(MaxTokenSize)} must be between 1024 and 65536 bytes.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(ClientAssertionValidationOptions), typeof(ClientAssertionValidationOptions), failures);
        }
    }
}
