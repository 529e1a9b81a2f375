using Databacker.Api.Auth.Keys;

namespace Databacker.Api.Auth.Validation;

/// <summary>A public key registered for an instance, as the key store returns it.</summary>
public sealed class RegisteredInstanceKey
{
    /// <summary>Creates the entry.</summary>
    /// <param name="keyId">The key id under which the key was registered; matched exactly (ordinal) against the assertion's <c>kid</c>.</param>
    /// <param name="publicKey">The registered public key.</param>
    public RegisteredInstanceKey(string keyId, EcPublicJwk publicKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(publicKey);
        KeyId = keyId;
        PublicKey = publicKey;
    }

    /// <summary>The key id.</summary>
    public string KeyId { get; }

    /// <summary>The public key; its curve fixes the one algorithm accepted with it.</summary>
    public EcPublicJwk PublicKey { get; }
}
