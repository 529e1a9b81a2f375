namespace Databacker.Api.Auth.Keys;

/// <summary>An <see cref="IInstanceKeySource"/> reading a PEM private key file (PKCS#8, optionally encrypted) once.</summary>
public sealed class PemFileKeySource : IInstanceKeySource, IDisposable
{
    private readonly string _path;
    private readonly string? _password;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private EcdsaKey? _key;

    /// <summary>Creates the source; the file is read on first use.</summary>
    /// <param name="path">Path of the PEM file.</param>
    /// <param name="password">The password when the PEM is an <c>ENCRYPTED PRIVATE KEY</c>.</param>
    public PemFileKeySource(string path, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _password = password;
    }

    /// <inheritdoc />
    public async ValueTask<EcdsaKey> GetKeyAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _key) is { } loaded)
        {
            return loaded;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_key is null)
            {
                var pem = await File.ReadAllTextAsync(_path, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _key, PemKeyLoader.LoadPrivateKey(pem, _password, $"file '{_path}'"));
            }

            return _key!;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _key?.Dispose();
        _gate.Dispose();
    }
}
