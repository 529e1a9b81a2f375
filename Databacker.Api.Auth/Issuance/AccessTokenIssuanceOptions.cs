using Microsoft.Extensions.Options;

namespace Databacker.Api.Auth.Issuance;

/// <summary>Settings for <see cref="AccessTokenIssuer"/>.</summary>
public sealed class AccessTokenIssuanceOptions
{
    /// <summary>The longest allowed access-token lifetime.</summary>
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromHours(1);

    /// <summary>This controller's issuer identifier (RFC 8414 <c>issuer</c>); becomes <c>iss</c>. Required.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>Lifetime of issued tokens; whole seconds, up to one hour. Default 10 minutes.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The audience of each scope, so each service gets its own audience and a token for one is refused by the
    /// other, e.g. <c>orchestration</c> → <c>https://controller.example.com/orchestration</c> and <c>reporting</c>
    /// → <c>https://controller.example.com/reporting</c>. Scopes not listed cannot be requested. Required.
    /// </summary>
    public IDictionary<string, string> ScopeAudiences { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    internal void Validate()
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(Issuer, UriKind.Absolute, out _))
        {
            failures.Add($"{nameof(Issuer)} must be an absolute URI.");
        }

        if (TokenLifetime <= TimeSpan.Zero || TokenLifetime > MaxTokenLifetime || TokenLifetime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"{nameof(TokenLifetime)} must be a whole number of seconds, more than zero and at most {MaxTokenLifetime}.");
        }

        if (ScopeAudiences.Count == 0)
        {
            failures.Add($"{nameof(ScopeAudiences)} must map at least one scope to an audience.");
        }

        foreach (var (scope, audience) in ScopeAudiences)
        {
            if (string.IsNullOrWhiteSpace(scope) || scope.Contains(' ', StringComparison.Ordinal))
            {
                failures.Add($"{nameof(ScopeAudiences)} has an empty scope or one containing a space.");
            }

            if (string.IsNullOrWhiteSpace(audience))
            {
                failures.Add($"{nameof(ScopeAudiences)} has no audience for scope '{scope}'.");
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(AccessTokenIssuanceOptions), typeof(AccessTokenIssuanceOptions), failures);
        }
    }
}
