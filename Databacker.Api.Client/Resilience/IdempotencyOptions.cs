using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.Resilience;

/// <summary>
/// Options of the <see cref="IdempotencyHandler"/>. Set once on the handler, or per request under
/// <see cref="RequestOptionsKey"/> in <see cref="HttpRequestMessage.Options"/>.
/// </summary>
public sealed class IdempotencyOptions
{
    /// <summary>The key under which a per-request override is read from <see cref="HttpRequestMessage.Options"/>.</summary>
    public static readonly HttpRequestOptionsKey<IdempotencyOptions> RequestOptionsKey = new("Databacker.Api.Client.IdempotencyOptions");

    /// <summary>The conventional header name.</summary>
    public const string DefaultHeaderName = "Idempotency-Key";

    /// <summary>Whether keys are added at all. Default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The header carrying the key. Default <c>Idempotency-Key</c>; must match <see cref="ResilienceOptions.IdempotencyKeyHeader"/>.</summary>
    public string HeaderName { get; set; } = DefaultHeaderName;

    /// <summary>The methods that get a key. Default POST and PATCH (the methods that are not idempotent by definition).</summary>
    public ISet<HttpMethod> Methods { get; set; } = new HashSet<HttpMethod> { HttpMethod.Post, HttpMethod.Patch };

    /// <summary>Makes a new key; a random UUID by default. Injectable for tests.</summary>
    public Func<string> KeyFactory { get; set; } = static () => Guid.NewGuid().ToString("D");

    /// <summary>A copy to change for one request, with its own set of methods.</summary>
    internal IdempotencyOptions Clone()
    {
        var copy = (IdempotencyOptions)MemberwiseClone();
        copy.Methods = new HashSet<HttpMethod>(Methods ?? new HashSet<HttpMethod>());
        return copy;
    }

    /// <summary>Checks the values.</summary>
    /// <exception cref="OptionsValidationException">A value is missing.</exception>
    public void Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(HeaderName))
        {
            failures.Add($"{nameof(HeaderName)} must not be empty.");
        }

        if (Methods is null)
        {
            failures.Add($"{nameof(Methods)} must not be null.");
        }

        if (KeyFactory is null)
        {
            failures.Add($"{nameof(KeyFactory)} must not be null.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(IdempotencyOptions), typeof(IdempotencyOptions), failures);
        }
    }
}
