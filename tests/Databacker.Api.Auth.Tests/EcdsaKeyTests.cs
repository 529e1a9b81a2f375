using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Databacker.Api.Auth.Keys;
using static Databacker.Api.Auth.Tests.Support.Jose;

namespace Databacker.Api.Auth.Tests;

[TestFixture]
public sealed class EcdsaKeyTests
{
    [TestCase(EcdsaCurve.P256, "ES256", 32)]
    [TestCase(EcdsaCurve.P384, "ES384", 48)]
    [TestCase(EcdsaCurve.P521, "ES512", 66)]
    public void Generated_key_has_the_curve_algorithm_and_coordinate_length(EcdsaCurve curve, string alg, int length)
    {
        using var key = EcdsaKey.Generate(curve);
        var jwk = key.ToPublicJwk();

        Assert.Multiple(() =>
        {
            Assert.That(key.Curve, Is.EqualTo(curve));
            Assert.That(key.Algorithm, Is.EqualTo(alg));
            Assert.That(key.HasPrivateKey, Is.True);
            Assert.That(Unb64(jwk.X), Has.Length.EqualTo(length));
            Assert.That(Unb64(jwk.Y), Has.Length.EqualTo(length));
            Assert.That(jwk.Alg, Is.EqualTo(alg));
        });
    }

    [Test]
    public void Default_curve_is_p256()
    {
        using var key = EcdsaKey.Generate();

        Assert.That(key.Curve, Is.EqualTo(EcdsaCurve.P256));
    }

    [TestCase(EcdsaCurve.P256)]
    [TestCase(EcdsaCurve.P384)]
    [TestCase(EcdsaCurve.P521)]
    public void Pkcs8_pem_round_trip_keeps_the_key(EcdsaCurve curve)
    {
        using var key = EcdsaKey.Generate(curve);
        var pem = key.ExportPkcs8PrivateKeyPem();

        using var imported = EcdsaKey.ImportPem(pem);

        Assert.Multiple(() =>
        {
            Assert.That(pem, Does.StartWith("-----BEGIN PRIVATE KEY-----"));
            Assert.That(imported.KeyId, Is.EqualTo(key.KeyId));
            Assert.That(imported.HasPrivateKey, Is.True);
            Assert.That(imported.Curve, Is.EqualTo(curve));
        });
    }

    [Test]
    public void Encrypted_pkcs8_pem_round_trip_keeps_the_key()
    {
        using var key = EcdsaKey.Generate();
        var pem = key.ExportEncryptedPkcs8PrivateKeyPem("correct horse");

        using var imported = EcdsaKey.ImportEncryptedPem(pem, "correct horse");

        Assert.That(pem, Does.StartWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        Assert.That(imported.KeyId, Is.EqualTo(key.KeyId));
        Assert.That(imported.HasPrivateKey, Is.True);
    }

    [Test]
    public void Encrypted_pem_with_the_wrong_password_is_refused()
    {
        using var key = EcdsaKey.Generate();
        var pem = key.ExportEncryptedPkcs8PrivateKeyPem("correct horse");

        Assert.Throws<CryptographicException>(() => EcdsaKey.ImportEncryptedPem(pem, "battery staple"));
    }

    [Test]
    public void Encrypted_pem_cannot_be_imported_without_a_password()
    {
        using var key = EcdsaKey.Generate();

        Assert.Throws<CryptographicException>(() => EcdsaKey.ImportPem(key.ExportEncryptedPkcs8PrivateKeyPem("pw")));
    }

    [Test]
    public void Encrypted_export_needs_a_password()
    {
        using var key = EcdsaKey.Generate();

        Assert.Throws<ArgumentException>(() => key.ExportEncryptedPkcs8PrivateKeyPem(string.Empty));
    }

    [Test]
    public void Spki_pem_round_trip_gives_a_public_only_key_with_the_same_kid()
    {
        using var key = EcdsaKey.Generate(EcdsaCurve.P384);
        var pem = key.ExportSubjectPublicKeyInfoPem();

        using var imported = EcdsaKey.ImportPem(pem);

        Assert.Multiple(() =>
        {
            Assert.That(pem, Does.StartWith("-----BEGIN PUBLIC KEY-----"));
            Assert.That(imported.KeyId, Is.EqualTo(key.KeyId));
            Assert.That(imported.HasPrivateKey, Is.False);
        });
        Assert.Throws<InvalidOperationException>(() => imported.ExportPkcs8PrivateKeyPem());
    }

    [Test]
    public void Pem_of_a_non_ec_key_is_refused()
    {
        using var rsa = RSA.Create(2048);

        Assert.Throws<CryptographicException>(() => EcdsaKey.ImportPem(rsa.ExportPkcs8PrivateKeyPem()));
    }

    [Test]
    public void Pem_of_an_unsupported_curve_is_refused()
    {
        using var brainpool = ECDsa.Create(ECCurve.NamedCurves.brainpoolP256r1);

        Assert.Throws<CryptographicException>(() => EcdsaKey.ImportPem(brainpool.ExportPkcs8PrivateKeyPem()));
    }

    [Test]
    public void Public_jwk_of_a_private_key_never_contains_d()
    {
        using var key = EcdsaKey.Generate();

        var json = JsonNode.Parse(key.ToPublicJwk().ToJson())!.AsObject();

        Assert.That(json.Select(m => m.Key), Is.EquivalentTo(new[] { "kty", "crv", "x", "y", "kid", "alg", "use" }));
        Assert.That(json["use"]!.GetValue<string>(), Is.EqualTo("sig"));
    }

    [Test]
    public void Jwk_round_trip_gives_the_same_key()
    {
        using var key = EcdsaKey.Generate(EcdsaCurve.P521);

        using var imported = EcdsaKey.ImportPublicJwk(EcPublicJwkValidator.Validate(key.ToPublicJwk().ToJson()));

        Assert.That(imported.KeyId, Is.EqualTo(key.KeyId));
        Assert.That(imported.ExportSubjectPublicKeyInfoPem(), Is.EqualTo(key.ExportSubjectPublicKeyInfoPem()));
    }

    [TestCase(256)]
    [TestCase(384)]
    [TestCase(521)]
    public void Kid_is_the_rfc7638_thumbprint_computed_by_hand(int size)
    {
        using var ecdsa = ECDsa.Create(size switch { 256 => ECCurve.NamedCurves.nistP256, 384 => ECCurve.NamedCurves.nistP384, _ => ECCurve.NamedCurves.nistP521 });
        using var key = EcdsaKey.ImportPem(ecdsa.ExportPkcs8PrivateKeyPem());

        Assert.That(key.KeyId, Is.EqualTo(Thumbprint(ecdsa)));
    }

    [Test]
    public void Thumbprint_of_a_fixed_key_is_stable_and_uses_canonical_member_order()
    {
        // The P-256 key of RFC 7517 appendix A.1; expected value from the hand-written canonical JSON.
        const string x = "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4";
        const string y = "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM";
        const string canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}";
        var expected = B64(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(JwkThumbprint.CanonicalEcJson("P-256", x, y)), Is.EqualTo(canonical));
            Assert.That(JwkThumbprint.ComputeEc("P-256", x, y), Is.EqualTo(expected));
            Assert.That(new EcPublicJwk { Crv = "P-256", X = x, Y = y, Kid = "1", Use = "enc" }.ComputeThumbprint(), Is.EqualTo(expected));
            Assert.That(EcPublicJwkValidator.Validate($"{{\"y\":\"{y}\",\"x\":\"{x}\",\"kty\":\"EC\",\"crv\":\"P-256\"}}").Kid, Is.EqualTo(expected));
        });
    }

    [TestCase(EcdsaCurve.P256)]
    [TestCase(EcdsaCurve.P384)]
    [TestCase(EcdsaCurve.P521)]
    public void Curve_constants_match_the_platform(EcdsaCurve curve)
    {
        var info = CurveInfo.For(curve);
        using var ecdsa = ECDsa.Create(info.NamedCurve);
        ECParameters explicitParameters;
        try
        {
            explicitParameters = ecdsa.ExportExplicitParameters(false);
        }
        catch (PlatformNotSupportedException)
        {
            Assert.Ignore("The platform cannot export explicit curve parameters.");
            return;
        }

        var prime = new System.Numerics.BigInteger(explicitParameters.Curve.Prime, isUnsigned: true, isBigEndian: true);
        var b = new System.Numerics.BigInteger(explicitParameters.Curve.B, isUnsigned: true, isBigEndian: true);
        Assert.Multiple(() =>
        {
            Assert.That(info.Prime, Is.EqualTo(prime));
            Assert.That(info.B, Is.EqualTo(b));
            Assert.That(info.IsOnCurve(explicitParameters.Curve.G.X, explicitParameters.Curve.G.Y), Is.True);
        });
    }
}
