using Microsoft.Extensions.Options;

namespace Databacker.Api.Server.DependencyInjection;

/// <summary>Validates <see cref="DatabackerServerOptions"/> at startup, so a misconfiguration fails fast rather than per request.</summary>
internal sealed class DatabackerServerOptionsValidator : IValidateOptions<DatabackerServerOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabackerServerOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.AgentTokens.Issuer, UriKind.Absolute, out _))
        {
            failures.Add("AgentTokens.Issuer must be the absolute issuer identifier of agent tokens.");
        }

        if (options.AgentTokens.ClockSkew < TimeSpan.Zero || options.AgentTokens.ClockSkew > AgentTokenOptions.MaxClockSkew)
        {
            failures.Add("AgentTokens.ClockSkew must be between zero and 30 seconds.");
        }

        if (options.AgentTokens.ValidationCacheDuration < TimeSpan.Zero || options.AgentTokens.ValidationCacheDuration > TimeSpan.FromMinutes(10))
        {
            failures.Add("AgentTokens.ValidationCacheDuration must be between zero and 10 minutes.");
        }

        if (options.AgentTokens.ValidationCacheSize <= 0)
        {
            failures.Add("AgentTokens.ValidationCacheSize must be positive.");
        }

        foreach (var (tag, location) in options.TagLocations)
        {
            if (!location.IsAbsoluteUri || location.Query.Length > 0 || location.Fragment.Length > 0)
            {
                failures.Add($"TagLocations[{tag}] must be an absolute URL without query or fragment.");
            }
        }

        if (options.RequestBodyLimits.DefaultMaxBytes <= 0 || options.RequestBodyLimits.MaxJsonValues <= 0 || options.RequestBodyLimits.Operations.Values.Any(v => v <= 0))
        {
            failures.Add("RequestBodyLimits must be positive.");
        }

        if (options.HealthPath is { } path && !path.StartsWith('/'))
        {
            failures.Add("HealthPath must start with '/'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
