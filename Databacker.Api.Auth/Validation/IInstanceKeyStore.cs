namespace Databacker.Api.Auth.Validation;

/// <summary>
/// Looks up the public keys registered for one instance. The validator asks only for the instance named by the
/// assertion's <c>iss</c>/<c>sub</c>; there is deliberately no way to enumerate every key.
/// </summary>
public interface IInstanceKeyStore
{
    /// <summary>Gets the keys registered for an instance.</summary>
    /// <param name="instanceId">The instance (client) id.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The instance's keys; empty when the instance is unknown or has none.</returns>
    ValueTask<IReadOnlyList<RegisteredInstanceKey>> GetKeysAsync(string instanceId, CancellationToken cancellationToken = default);
}
