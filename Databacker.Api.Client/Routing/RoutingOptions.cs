using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.Routing;

/// <summary>
/// Options of the <see cref="RoutingHandler"/>. Set once on the handler, or per request by putting an instance
/// under <see cref="RequestOptionsKey"/> in <see cref="HttpRequestMessage.Options"/>.
/// </summary>
public sealed class RoutingOptions
{
    /// <summary>The key under which a per-request override is read from <see cref="HttpRequestMessage.Options"/>.</summary>
    public static readonly HttpRequestOptionsKey<RoutingOptions> RequestOptionsKey = new("Databacker.Api.Client.RoutingOptions");

    /// <summary>The most redirects followed for one call; the next one fails. Default 5, from 0 to 20.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>What to do with a redirect to an untrusted origin. Default <see cref="CrossOriginRedirectPolicy.Fail"/>.</summary>
    public CrossOriginRedirectPolicy CrossOriginRedirects { get; set; } = CrossOriginRedirectPolicy.Fail;

    /// <summary>Whether 301 and 308 moves are remembered in the <see cref="RouteTable"/>, so later calls go straight to the new place. Default on.</summary>
    public bool RememberPermanentRedirects { get; set; } = true;

    /// <summary>
    /// Whether a remembered move also moves the other routes of the same folder: when
    /// <c>https://a/engines/telemetry/i/log</c> moves to <c>https://b/engines/telemetry/i/log</c>, every route under
    /// <c>https://a/engines/telemetry/i/</c> moves under <c>https://b/engines/telemetry/i/</c> (resources are permanent).
    /// Never wider: a partial endpoint's move of one service does not take another service's routes along. Default on.
    /// </summary>
    public bool ApplyPrefixMoves { get; set; } = true;

    /// <summary>Whether <c>410 Gone</c> throws <see cref="Exceptions.EndpointNotImplementedException"/>. Default on.</summary>
    public bool ThrowOnGone { get; set; } = true;

    /// <summary>Whether <c>404 Not Found</c> throws <see cref="Exceptions.ResourceNotFoundException"/>. Default on.</summary>
    public bool ThrowOnNotFound { get; set; } = true;

    /// <summary>
    /// Request headers that carry credentials and are removed before a request goes to an untrusted origin.
    /// <c>Authorization</c> and <c>Cookie</c> are always treated as such; add custom ones (e.g. an API key header).
    /// </summary>
    public ISet<string> CredentialHeaders { get; set; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>A copy to change for one request, with its own set of credential headers.</summary>
    internal RoutingOptions Clone()
    {
        var copy = (RoutingOptions)MemberwiseClone();
        copy.CredentialHeaders = new HashSet<string>(CredentialHeaders ?? new HashSet<string>(), StringComparer.OrdinalIgnoreCase);
        return copy;
    }

    /// <summary>Checks the values.</summary>
    /// <exception cref="OptionsValidationException">A value is out of range.</exception>
    public void Validate()
    {
        var failures = new List<string>();
        if (MaxRedirects is < 0 or > 20)
        {
            failures.Add($"{nameof(MaxRedirects)} must be between 0 and 20, not {MaxRedirects}.");
        }

        if (!Enum.IsDefined(CrossOriginRedirects))
        {
            failures.Add($"{nameof(CrossOriginRedirects)} has an unknown value {CrossOriginRedirects}.");
        }

        if (CredentialHeaders is null)
        {
            failures.Add($"{nameof(CredentialHeaders)} must not be null.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(RoutingOptions), typeof(RoutingOptions), failures);
        }
    }
}
