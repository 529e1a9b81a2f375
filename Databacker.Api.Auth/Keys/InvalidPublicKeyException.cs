namespace Databacker.Api.Auth.Keys;

/// <summary>Thrown when a public key offered for registration is not an acceptable EC signing key.</summary>
public sealed class InvalidPublicKeyException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the key was refused.</param>
    /// <param name="message">A message for the person registering the key.</param>
    public InvalidPublicKeyException(InvalidPublicKeyReason reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Why the key was refused.</summary>
    public InvalidPublicKeyReason Reason { get; }
}
