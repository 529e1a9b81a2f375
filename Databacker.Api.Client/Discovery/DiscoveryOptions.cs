namespace Databacker.Api.Client.Discovery;

/// <summary>How long the discovery document (<c>GET /engines/endpoints/{instance}</c>) is cached.</summary>
public sealed class DiscoveryOptions
{
    /// <summary>How long a document without <c>expiresIn</c> is used. Default 5 minutes.</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The shortest time a document is used, whatever its <c>expiresIn</c> says (0 included), and how long a stale
    /// document keeps being served after a failed refresh. Default 5 seconds.
    /// </summary>
    public TimeSpan MinimumLifetime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest time a document is used, whatever its <c>expiresIn</c> says. Default 24 hours.</summary>
    public TimeSpan MaximumLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Checks the values.</summary>
    /// <returns>One message per problem; empty when the values are usable.</returns>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (MinimumLifetime < TimeSpan.Zero)
        {
            failures.Add($"{nameof(MinimumLifetime)} must not be negative.");
        }

        if (MaximumLifetime < MinimumLifetime)
        {
            failures.Add($"{nameof(MaximumLifetime)} must be at least {nameof(MinimumLifetime)}.");
        }

        if (DefaultLifetime < MinimumLifetime || DefaultLifetime > MaximumLifetime)
        {
            failures.Add($"{nameof(DefaultLifetime)} must be between {nameof(MinimumLifetime)} and {nameof(MaximumLifetime)}.");
        }

        return failures;
    }
}
