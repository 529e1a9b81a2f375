using System.Security.Cryptography;

namespace Databacker.Api.Auth.Keys;

/// <summary>Shared PEM parsing for the key sources: picks the encrypted or plain import and insists on a private key.</summary>
internal static class PemKeyLoader
{
    public static EcdsaKey LoadPrivateKey(string pem, string? password, string origin)
    {
        var key = pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal)
            ? EcdsaKey.ImportEncryptedPem(pem, (password ?? throw new CryptographicException($"The key from {origin} is encrypted and no password was given.")).AsSpan())
            : EcdsaKey.ImportPem(pem);
        if (!key.HasPrivateKey)
        {
            key.Dispose();
            throw new CryptographicException($"The key from {origin} has no private part.");
        }

        return key;
    }
}
