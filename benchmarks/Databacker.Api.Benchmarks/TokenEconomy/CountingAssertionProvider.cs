using Databacker.Api.Client.Authentication;

namespace Databacker.Api.Benchmarks.TokenEconomy;

/// <summary>Counts the client assertions signed by the provider it wraps.</summary>
internal sealed class CountingAssertionProvider(IClientAssertionProvider inner) : IClientAssertionProvider
{
    private int _signed;

    public int Signed => Volatile.Read(ref _signed);

    public ValueTask<string> CreateAssertionAsync(string audience, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _signed);
        return inner.CreateAssertionAsync(audience, cancellationToken);
    }
}
