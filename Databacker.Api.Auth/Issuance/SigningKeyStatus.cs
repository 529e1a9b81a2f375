namespace Databacker.Api.Auth.Issuance;

/// <summary>A snapshot of one key of the <see cref="SigningKeyRing"/>.</summary>
public sealed class SigningKeyStatus
{
    internal SigningKeyStatus(string keyId, SigningKeyState state, DateTimeOffset activatesAt, DateTimeOffset? retiredAt, DateTimeOffset? retainedUntil)
    {
        KeyId = keyId;
        State = state;
        ActivatesAt = activatesAt;
        RetiredAt = retiredAt;
        RetainedUntil = retainedUntil;
    }

    /// <summary>The key id (<c>kid</c>).</summary>
    public string KeyId { get; }

    /// <summary>The state at the time of the snapshot.</summary>
    public SigningKeyState State { get; }

    /// <summary>When the key starts (or started) signing.</summary>
    public DateTimeOffset ActivatesAt { get; }

    /// <summary>When a newer key took over; null while not retired.</summary>
    public DateTimeOffset? RetiredAt { get; }

    /// <summary>Until when a retired key stays in the JWKS: after the last token it signed expires, plus the margin.</summary>
    public DateTimeOffset? RetainedUntil { get; }
}
