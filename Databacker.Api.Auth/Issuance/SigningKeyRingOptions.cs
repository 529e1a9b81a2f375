using Microsoft.Extensions.Options;

namespace Databacker.Api.Auth.Issuance;

/// <summary>Settings for <see cref="SigningKeyRing"/>.</summary>
public sealed class SigningKeyRingOptions
{
    /// <summary>
    /// How long a new key must be published in the JWKS before it may sign, when another key is already signing, so
    /// verifiers that cache the JWKS learn it first. Default 10 minutes.
    /// </summary>
    public TimeSpan PublicationLead { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Extra time a retired key stays in the JWKS after the last token it signed expires, covering verifiers' clock
    /// skew. Default 1 minute.
    /// </summary>
    public TimeSpan RetentionMargin { get; set; } = TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        var failures = new List<string>();
        if (PublicationLead < TimeSpan.Zero)
        {
            failures.Add($"{nameof(PublicationLead)} must not be negative.");
        }

        if (RetentionMargin < TimeSpan.Zero)
        {
            failures.Add($"{nameof(RetentionMargin)} must not be negative.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(SigningKeyRingOptions), typeof(SigningKeyRingOptions), failures);
        }
    }
}
