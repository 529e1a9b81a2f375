namespace Databacker.Api.Auth.Keys;

/// <summary>An <see cref="IInstanceKeySource"/> over PEM text held in memory (PKCS#8, optionally encrypted).</summary>
public sealed class PemStringKeySource : IInstanceKeySource, IDisposable
{
    private readonly Lazy<EcdsaKey> _key;

    /// <summary>Creates the source; the PEM is parsed on first use.</summary>
    /// <param name="pem">The private key PEM.</param>
    /// <param name="password">The password when the PEM is an <c>ENCRYPTED PRIVATE KEY</c>.</param>
    public PemStringKeySource(string pem, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        _key = new Lazy<EcdsaKey>(() => PemKeyLoader.LoadPrivateKey(pem, password, "the configured PEM string"), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc />
    public ValueTask<EcdsaKey> GetKeyAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_key.Value);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_key.IsValueCreated)
        {
            _key.Value.Dispose();
        }
    }
}
