namespace Databacker.Api.Auth.Keys;

/// <summary>
/// Supplies an instance's private signing key. Implementations exist for a PEM file, a PEM string and an environment
/// variable; implement it to load the key from a vault.
/// </summary>
public interface IInstanceKeySource
{
    /// <summary>Gets the signing key. The source owns the returned key: callers must not dispose it.</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>A key with its private part.</returns>
    ValueTask<EcdsaKey> GetKeyAsync(CancellationToken cancellationToken = default);
}
