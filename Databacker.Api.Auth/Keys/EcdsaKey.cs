using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Databacker.Api.Auth.Keys;

/// <summary>
/// An ECDSA key on P-256, P-384 or P-521, with or without its private part. Its <see cref="KeyId"/> is the RFC 7638
/// thumbprint of the public key. Dispose it when done to release the native key.
/// </summary>
public sealed class EcdsaKey : IDisposable
{
    private static readonly PbeParameters EncryptionParameters = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 600_000);

    private readonly ECDsa _ecdsa;
    private readonly EcPublicJwk _publicJwk;

    private EcdsaKey(ECDsa ecdsa, bool hasPrivateKey)
    {
        ECParameters parameters;
        try
        {
            parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }

        var curve = CurveInfo.FromECCurve(parameters.Curve);
        if (curve is null)
        {
            ecdsa.Dispose();
            throw new CryptographicException("The key is not on P-256, P-384 or P-521.");
        }

        _ecdsa = ecdsa;
        Info = curve;
        HasPrivateKey = hasPrivateKey;
        var x = Base64UrlText.Encode(parameters.Q.X);
        var y = Base64UrlText.Encode(parameters.Q.Y);
        KeyId = JwkThumbprint.ComputeEc(curve.JwkName, x, y);
        _publicJwk = new EcPublicJwk { Crv = curve.JwkName, X = x, Y = y, Kid = KeyId, Alg = curve.Algorithm, Use = "sig" };
    }

    /// <summary>The key's curve.</summary>
    public EcdsaCurve Curve => Info.Curve;

    /// <summary>The one JWS algorithm used with this key: <c>ES256</c>, <c>ES384</c> or <c>ES512</c>.</summary>
    public string Algorithm => Info.Algorithm;

    /// <summary>The RFC 7638 thumbprint of the public key, used as <c>kid</c>.</summary>
    public string KeyId { get; }

    /// <summary>Whether the key can sign (has its private part).</summary>
    public bool HasPrivateKey { get; }

    internal CurveInfo Info { get; }

    /// <summary>Generates a new random key.</summary>
    /// <param name="curve">The curve; P-256 unless said otherwise.</param>
    /// <returns>A new private key.</returns>
    public static EcdsaKey Generate(EcdsaCurve curve = EcdsaCurve.P256) => new(ECDsa.Create(CurveInfo.For(curve).NamedCurve), hasPrivateKey: true);

    /// <summary>
    /// Imports an unencrypted PEM key: a PKCS#8 <c>PRIVATE KEY</c>, a SEC 1 <c>EC PRIVATE KEY</c> or an SPKI
    /// <c>PUBLIC KEY</c>.
    /// </summary>
    /// <param name="pem">The PEM text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="CryptographicException">The PEM holds no supported EC key.</exception>
    public static EcdsaKey ImportPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (ArgumentException exception)
        {
            ecdsa.Dispose();
            throw new CryptographicException("The PEM does not contain a supported unencrypted EC key.", exception);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }

        return new EcdsaKey(ecdsa, HasPrivatePart(ecdsa));
    }

    /// <summary>Imports a password-encrypted PKCS#8 PEM private key (<c>ENCRYPTED PRIVATE KEY</c>).</summary>
    /// <param name="pem">The PEM text.</param>
    /// <param name="password">The password.</param>
    /// <returns>The key.</returns>
    /// <exception cref="CryptographicException">The PEM holds no supported key or the password is wrong.</exception>
    public static EcdsaKey ImportEncryptedPem(string pem, ReadOnlySpan<char> password)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromEncryptedPem(pem, password);
        }
        catch (ArgumentException exception)
        {
            ecdsa.Dispose();
            throw new CryptographicException("The PEM does not contain a supported encrypted EC private key.", exception);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }

        return new EcdsaKey(ecdsa, hasPrivateKey: true);
    }

    /// <summary>Imports a public JWK after validating it with <see cref="EcPublicJwkValidator"/>.</summary>
    /// <param name="jwk">The public key.</param>
    /// <returns>A public-only key.</returns>
    /// <exception cref="InvalidPublicKeyException">The key is not acceptable.</exception>
    public static EcdsaKey ImportPublicJwk(EcPublicJwk jwk)
    {
        ArgumentNullException.ThrowIfNull(jwk);
        var curve = EcPublicJwkValidator.ValidateAndDescribe(jwk, out _);
        var parameters = new ECParameters
        {
            Curve = curve.NamedCurve,
            Q = new ECPoint { X = Base64UrlText.TryDecode(jwk.X, out var x) ? x : [], Y = Base64UrlText.TryDecode(jwk.Y, out var y) ? y : [] },
        };
        return new EcdsaKey(ECDsa.Create(parameters), hasPrivateKey: false);
    }

    /// <summary>Exports the private key as unencrypted PKCS#8 PEM (<c>PRIVATE KEY</c>).</summary>
    /// <returns>The PEM text. Treat it as a secret.</returns>
    /// <exception cref="InvalidOperationException">The key has no private part.</exception>
    public string ExportPkcs8PrivateKeyPem()
    {
        EnsurePrivate();
        return _ecdsa.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>
    /// Exports the private key as encrypted PKCS#8 PEM (<c>ENCRYPTED PRIVATE KEY</c>; AES-256-CBC, PBKDF2-SHA256,
    /// 600 000 iterations).
    /// </summary>
    /// <param name="password">The password; must not be empty.</param>
    /// <returns>The PEM text.</returns>
    /// <exception cref="InvalidOperationException">The key has no private part.</exception>
    public string ExportEncryptedPkcs8PrivateKeyPem(ReadOnlySpan<char> password)
    {
        EnsurePrivate();
        if (password.IsEmpty)
        {
            throw new ArgumentException("The password must not be empty.", nameof(password));
        }

        return _ecdsa.ExportEncryptedPkcs8PrivateKeyPem(password, EncryptionParameters);
    }

    /// <summary>Exports the public key as SPKI PEM (<c>PUBLIC KEY</c>).</summary>
    /// <returns>The PEM text.</returns>
    public string ExportSubjectPublicKeyInfoPem() => _ecdsa.ExportSubjectPublicKeyInfoPem();

    /// <summary>
    /// The public key as a JWK with <c>kid</c> (thumbprint), <c>alg</c> and <c>use</c> = <c>sig</c>. Never contains
    /// <c>d</c>, whether or not this key has a private part.
    /// </summary>
    /// <returns>The public JWK.</returns>
    public EcPublicJwk ToPublicJwk() => _publicJwk;

    /// <inheritdoc />
    public void Dispose() => _ecdsa.Dispose();

    /// <summary>A security key for Microsoft.IdentityModel, with caching of signature providers off so no provider outlives this key.</summary>
    internal ECDsaSecurityKey ToSecurityKey(string keyId) => new(_ecdsa)
    {
        KeyId = keyId,
        CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false },
    };

    private static bool HasPrivatePart(ECDsa ecdsa)
    {
        try
        {
            return ecdsa.ExportParameters(includePrivateParameters: true).D is { Length: > 0 };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private void EnsurePrivate()
    {
        if (!HasPrivateKey)
        {
            throw new InvalidOperationException("The key has no private part.");
        }
    }
}
