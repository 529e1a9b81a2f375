using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.Resilience;

/// <summary>
/// Options of the <see cref="ResilienceHandler"/>. Set once on the handler, or per request under
/// <see cref="RequestOptionsKey"/> (retries and timeouts only; the circuit breakers belong to the handler).
/// </summary>
public sealed class ResilienceOptions
{
    /// <summary>The key under which a per-request override is read from <see cref="HttpRequestMessage.Options"/>.</summary>
    public static readonly HttpRequestOptionsKey<ResilienceOptions> RequestOptionsKey = new("Databacker.Api.Client.ResilienceOptions");

    /// <summary>Retries after the first attempt. Default 3, from 0 to 10.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The median delay before the first retry; later ones grow exponentially, with jitter. Default 500 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest computed backoff delay. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether backoff delays are randomised (decorrelated jitter). Default on.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// The longest <c>Retry-After</c> waited out. A longer one, or one longer than the time left before
    /// <see cref="TotalTimeout"/>, fails at once with <see cref="Exceptions.RateLimitedException"/>. Default 60 s.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The time limit of one attempt. Default 30 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The time limit of the whole call, retries and delays included. Default 3 minutes.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The header whose presence makes a non-safe method retryable. Default <c>Idempotency-Key</c>.</summary>
    public string IdempotencyKeyHeader { get; set; } = IdempotencyOptions.DefaultHeaderName;

    /// <summary>Whether each authority gets a circuit breaker. Default on.</summary>
    public bool EnableCircuitBreaker { get; set; } = true;

    /// <summary>The failure ratio over <see cref="BreakerSamplingDuration"/> that opens a circuit. Default 0.5.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>The fewest calls in the sampling window before a circuit can open. Default 10.</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>The window over which failures are counted. Default 30 s.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit rejects calls. Default 15 s.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The source of randomness for jitter, returning values in [0, 1). Injectable for tests; shared random by default.</summary>
    public Func<double> Randomizer { get; set; } = static () => Random.Shared.NextDouble();

    /// <summary>A copy to change for one request (shares the <see cref="Randomizer"/>).</summary>
    internal ResilienceOptions Clone() => (ResilienceOptions)MemberwiseClone();

    /// <summary>Checks the values.</summary>
    /// <exception cref="OptionsValidationException">A value is out of range.</exception>
    public void Validate()
    {
        var failures = new List<string>();
        if (MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add($"{nameof(MaxRetryAttempts)} must be between 0 and 10.");
        }

        NotNegative(BaseDelay, nameof(BaseDelay));
        NotNegative(MaxDelay, nameof(MaxDelay));
        NotNegative(MaxRetryAfter, nameof(MaxRetryAfter));
        Positive(AttemptTimeout, nameof(AttemptTimeout));
        Positive(TotalTimeout, nameof(TotalTimeout));
        if (AttemptTimeout > TotalTimeout)
        {
            failures.Add($"{nameof(AttemptTimeout)} must not exceed {nameof(TotalTimeout)}.");
        }

        if (string.IsNullOrWhiteSpace(IdempotencyKeyHeader))
        {
            failures.Add($"{nameof(IdempotencyKeyHeader)} must not be empty.");
        }

        if (BreakerFailureRatio is <= 0 or > 1 || double.IsNaN(BreakerFailureRatio))
        {
            failures.Add($"{nameof(BreakerFailureRatio)} must be more than 0 and at most 1.");
        }

        if (BreakerMinimumThroughput < 2)
        {
            failures.Add($"{nameof(BreakerMinimumThroughput)} must be at least 2.");
        }

        if (BreakerSamplingDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"{nameof(BreakerSamplingDuration)} must be at least 500 ms.");
        }

        if (BreakerBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"{nameof(BreakerBreakDuration)} must be at least 500 ms.");
        }

        if (Randomizer is null)
        {
            failures.Add($"{nameof(Randomizer)} must not be null.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(ResilienceOptions), typeof(ResilienceOptions), failures);
        }

        void NotNegative(TimeSpan value, string name)
        {
            if (value < TimeSpan.Zero)
            {
                failures.Add($"{name} must not be negative.");
            }
        }

        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{name} must be more than zero.");
            }
        }
    }
}
