using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Databacker.Api.Auth.Keys;
using static Databacker.Api.Auth.Tests.Support.Jose;

namespace Databacker.Api.Auth.Tests;

[TestFixture]
public sealed class EcPublicJwkValidatorTests
{
    private ECDsa _key = null!;

    [SetUp]
    public void SetUp() => _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    [TearDown]
    public void TearDown() => _key.Dispose();

    [Test]
    public void Valid_public_jwk_is_accepted_and_given_its_thumbprint_as_kid()
    {
        var jwk = EcPublicJwkValidator.Validate(Jwk(_key).ToJsonString());

        Assert.That(jwk.Kid, Is.EqualTo(Thumbprint(_key)));
        Assert.That(jwk.Crv, Is.EqualTo("P-256"));
    }

    [Test]
    public void Valid_public_jwk_with_kid_alg_and_use_is_accepted_as_given()
    {
        var node = Jwk(_key);
        node["kid"] = "my-key.1";
        node["alg"] = "ES256";
        node["use"] = "sig";

        var jwk = EcPublicJwkValidator.Validate(node.ToJsonString());

        Assert.That(jwk.Kid, Is.EqualTo("my-key.1"));
        Assert.That(jwk.Alg, Is.EqualTo("ES256"));
    }

    [Test]
    public void Jwk_with_private_part_is_rejected()
    {
        var node = Jwk(_key);
        node["d"] = B64(_key.ExportParameters(true).D!);

        AssertInvalid(node, InvalidPublicKeyReason.PrivateKeyPresent);
    }

    [TestCase("RSA")]
    [TestCase("oct")]
    [TestCase("OKP")]
    [TestCase("ec")]
    public void Jwk_of_a_key_type_other_than_ec_is_rejected(string kty)
    {
        var node = Jwk(_key);
        node["kty"] = kty;

        AssertInvalid(node, InvalidPublicKeyReason.UnsupportedKeyType);
    }

    [TestCase("secp256k1")]
    [TestCase("P-192")]
    [TestCase("p-256")]
    [TestCase("Ed25519")]
    public void Jwk_on_an_unsupported_curve_is_rejected(string crv)
    {
        var node = Jwk(_key);
        node["crv"] = crv;

        AssertInvalid(node, InvalidPublicKeyReason.UnsupportedCurve);
    }

    [TestCase("ES384")]
    [TestCase("ES512")]
    [TestCase("HS256")]
    [TestCase("none")]
    public void Jwk_with_an_algorithm_not_matching_its_curve_is_rejected(string alg)
    {
        var node = Jwk(_key);
        node["alg"] = alg;

        AssertInvalid(node, InvalidPublicKeyReason.AlgorithmMismatch);
    }

    [Test]
    public void Jwk_with_use_enc_is_rejected()
    {
        var node = Jwk(_key);
        node["use"] = "enc";

        AssertInvalid(node, InvalidPublicKeyReason.UnsupportedUse);
    }

    [TestCase("x5c")]
    [TestCase("key_ops")]
    [TestCase("jku")]
    public void Jwk_with_an_unexpected_member_is_rejected(string member)
    {
        var node = Jwk(_key);
        node[member] = "x";

        AssertInvalid(node, InvalidPublicKeyReason.UnexpectedMember);
    }

    [TestCase("y")]
    [TestCase("x")]
    [TestCase("crv")]
    [TestCase("kty")]
    public void Jwk_missing_a_required_member_is_rejected(string member)
    {
        var node = Jwk(_key);
        node.Remove(member);

        AssertInvalid(node, InvalidPublicKeyReason.MissingMember);
    }

    [Test]
    public void Jwk_with_a_duplicate_member_is_rejected()
    {
        var json = Jwk(_key).ToJsonString()[..^1] + ",\"crv\":\"P-384\"}";

        var exception = Assert.Throws<InvalidPublicKeyException>(() => EcPublicJwkValidator.Validate(json));
        Assert.That(exception!.Reason, Is.EqualTo(InvalidPublicKeyReason.DuplicateMember));
    }

    [Test]
    public void Jwk_with_a_short_coordinate_is_rejected()
    {
        var node = Jwk(_key);
        node["x"] = B64(Unb64(node["x"]!.GetValue<string>())[1..]);

        AssertInvalid(node, InvalidPublicKeyReason.InvalidCoordinate);
    }

    [Test]
    public void Jwk_with_a_padded_coordinate_is_rejected()
    {
        var node = Jwk(_key);
        node["x"] = Convert.ToBase64String(Unb64(node["x"]!.GetValue<string>()));

        AssertInvalid(node, InvalidPublicKeyReason.InvalidCoordinate);
    }

    [TestCase(256, "x")]
    [TestCase(256, "y")]
    [TestCase(384, "x")]
    [TestCase(521, "y")]
    public void Jwk_with_a_point_changed_by_one_bit_is_rejected_as_off_curve(int size, string coordinate)
    {
        using var key = ECDsa.Create(size switch { 256 => ECCurve.NamedCurves.nistP256, 384 => ECCurve.NamedCurves.nistP384, _ => ECCurve.NamedCurves.nistP521 });
        var node = Jwk(key);
        var bytes = Unb64(node[coordinate]!.GetValue<string>());
        bytes[^1] ^= 0x01;
        node[coordinate] = B64(bytes);

        AssertInvalid(node, InvalidPublicKeyReason.PointNotOnCurve);
    }

    [Test]
    public void Jwk_with_a_point_changed_by_one_bit_is_also_off_curve_for_the_platform()
    {
        // The platform import is the second line of defence; it must agree with the arithmetic check.
        var p = _key.ExportParameters(false);
        p.Q.Y![^1] ^= 0x01;

        Assert.That(CurveInfo.P256.IsOnCurve(p.Q.X, p.Q.Y), Is.False);
        Assert.Catch<CryptographicException>(() => ECDsa.Create(p).Dispose());
    }

    [Test]
    public void Jwk_with_the_zero_point_is_rejected()
    {
        var node = Jwk(_key);
        node["x"] = B64(new byte[32]);
        node["y"] = B64(new byte[32]);

        AssertInvalid(node, InvalidPublicKeyReason.PointNotOnCurve);
    }

    [TestCase("")]
    [TestCase("has space")]
    [TestCase("slash/kid")]
    public void Jwk_with_an_invalid_kid_is_rejected(string kid)
    {
        var node = Jwk(_key);
        node["kid"] = kid;

        AssertInvalid(node, InvalidPublicKeyReason.InvalidKeyId);
    }

    [TestCase("not json")]
    [TestCase("[]")]
    [TestCase("\"EC\"")]
    [TestCase("{\"\\ud800\":1}", TestName = "A member name that is a lone surrogate escape is malformed, not a crash")]
    [TestCase("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"\\udc00\",\"y\":\"AA\"}", TestName = "A value that is a lone surrogate escape is malformed, not a crash")]
    public void Input_that_is_not_a_json_object_is_rejected(string json)
    {
        var exception = Assert.Throws<InvalidPublicKeyException>(() => EcPublicJwkValidator.Validate(json));

        Assert.That(exception!.Reason, Is.EqualTo(InvalidPublicKeyReason.MalformedJson));
    }

    private static void AssertInvalid(JsonObject node, InvalidPublicKeyReason reason)
    {
        var exception = Assert.Throws<InvalidPublicKeyException>(() => EcPublicJwkValidator.Validate(node.ToJsonString()));
        Assert.That(exception!.Reason, Is.EqualTo(reason), exception.Message);
        Assert.That(exception.Message, Is.Not.Empty);
    }
}
