using System.Collections.Concurrent;
using Databacker.Api.Auth.ClientAssertions;
using Databacker.Api.Auth.Keys;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.Authentication;

/// <summary>
/// Signs client assertions with the instance's ECDSA key through the Auth package's <see cref="ClientAssertionFactory"/>:
/// <c>iss</c> = <c>sub</c> = the instance id, <c>aud</c> = the issuer the <see cref="TokenClient"/> read from the
/// authorization server metadata, a fresh <c>jti</c> and a lifetime of at most 60 seconds.
/// </summary>
/// <remarks>
/// The audience is only known once the metadata has been read, so one factory is kept per audience (in practice one).
/// </remarks>
public sealed class InstanceKeyAssertionProvider : IClientAssertionProvider
{
    private readonly IInstanceKeySource _keySource;
    private readonly string _instanceId;
    private readonly TimeSpan _lifetime;
    private readonly string? _keyId;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ClientAssertionFactory> _factories = new(StringComparer.Ordinal);

    /// <summary>Creates the provider.</summary>
    /// <param name="keySource">Supplies the instance's private key.</param>
    /// <param name="instanceId">The instance id; <c>iss</c> and <c>sub</c> of every assertion.</param>
    /// <param name="lifetime">The assertion lifetime, whole seconds up to 60; 60 seconds by default.</param>
    /// <param name="keyId">The <c>kid</c> to send when the key was registered under an id other than its thumbprint.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    public InstanceKeyAssertionProvider(IInstanceKeySource keySource, string instanceId, TimeSpan? lifetime = null, string? keyId = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        _keySource = keySource ?? throw new ArgumentNullException(nameof(keySource));
        _instanceId = instanceId;
        _lifetime = lifetime ?? TimeSpan.FromSeconds(ClientAssertionConstants.MaxLifetimeSeconds);
        _keyId = keyId;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask<string> CreateAssertionAsync(string audience, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(audience);
        var factory = _factories.GetOrAdd(audience, a => new ClientAssertionFactory(
            _keySource,
            Options.Create(new ClientAssertionOptions { InstanceId = _instanceId, Audience = a, Lifetime = _lifetime, KeyId = _keyId }),
            _time));
        return factory.CreateAsync(cancellationToken);
    }
}
