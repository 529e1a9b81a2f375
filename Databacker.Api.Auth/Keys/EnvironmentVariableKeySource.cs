namespace Databacker.Api.Auth.Keys;

/// <summary>
/// An <see cref="IInstanceKeySource"/> reading a PEM private key from an environment variable. Literal <c>\n</c>
/// sequences are turned into line breaks, since container tooling often flattens multi-line values.
/// </summary>
public sealed class EnvironmentVariableKeySource : IInstanceKeySource, IDisposable
{
    private readonly Lazy<EcdsaKey> _key;

    /// <summary>Creates the source; the variable is read on first use.</summary>
    /// <param name="variableName">The environment variable holding the PEM.</param>
    /// <param name="password">The password when the PEM is an <c>ENCRYPTED PRIVATE KEY</c>.</param>
    public EnvironmentVariableKeySource(string variableName, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variableName);
        _key = new Lazy<EcdsaKey>(
            () =>
            {
                var value = Environment.GetEnvironmentVariable(variableName);
                if (string.IsNullOrWhiteSpace(value))
                {
                    throw new InvalidOperationException($"The environment variable '{variableName}' holding the instance key is not set.");
                }

                return PemKeyLoader.LoadPrivateKey(value.Replace("\\n", "\n", StringComparison.Ordinal), password, $"environment variable '{variableName}'");
            },
            LazyThreadSafetyMode.ExecutionAndPublication);
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
