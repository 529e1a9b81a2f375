using Databacker.Api.Auth.Keys;

namespace Databacker.Api.Client.Authentication;

/// <summary>An <see cref="IInstanceKeySource"/> over a key the caller already loaded (and keeps owning).</summary>
internal sealed class FixedKeySource(EcdsaKey key) : IInstanceKeySource
{
    public ValueTask<EcdsaKey> GetKeyAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(key);
}
