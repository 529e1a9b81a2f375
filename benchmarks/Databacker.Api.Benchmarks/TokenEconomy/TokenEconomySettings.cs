namespace Databacker.Api.Benchmarks.TokenEconomy;

/// <summary>The shape of a token-economy run.</summary>
public sealed record TokenEconomySettings
{
    /// <summary>Concurrent callers.</summary>
    public int Callers { get; init; } = 64;

    /// <summary>Token lifetimes the run spans.</summary>
    public int Lifetimes { get; init; } = 5;

    /// <summary>The <c>expires_in</c> of the tokens the server issues.</summary>
    public int TokenLifetimeSeconds { get; init; } = 300;

    /// <summary>
    /// The moments of each lifetime, as fractions of it, at which every caller makes its calls. All are before the
    /// refresh-ahead point (80 %); the next lifetime starts when the clock jumps past the token's expiry, so every
    /// lifetime begins with all callers asking at once for a token that has just expired.
    /// </summary>
    public IReadOnlyList<double> Checkpoints { get; init; } = [0.0, 0.2, 0.4, 0.6, 0.79];

    /// <summary>Calls each caller makes at each checkpoint.</summary>
    public int CallsPerCheckpoint { get; init; } = 2;
}
