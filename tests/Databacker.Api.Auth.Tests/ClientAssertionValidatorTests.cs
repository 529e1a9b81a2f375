using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Databacker.Api.Auth.ClientAssertions;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Auth.Replay;
using Databacker.Api.Auth.Tests.Support;
using Databacker.Api.Auth.Validation;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Databacker.Api.Auth.Tests.Support.Jose;
using Reason = Databacker.Api.Auth.Validation.ClientAssertionRejectionReason;

namespace Databacker.Api.Auth.Tests;

/// <summary>The hostile corpus: every token here is built by hand, most of them malicious.</summary>
[TestFixture]
public sealed class ClientAssertionValidatorTests
{
    private const string Issuer = "https://controller.example.com";
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private FakeTimeProvider _time = null!;
    private RecordingKeyStore _store = null!;
    private InMemoryReplayCache _replay = null!;
    private CapturingLogger<ClientAssertionValidator> _logger = null!;
    private ClientAssertionValidator _validator = null!;
    private ECDsa _keyA = null!;
    private ECDsa _keyB = null!;
    private ECDsa _keyC = null!;
    private ECDsa _keyD = null!;
    private string _kidA = null!;
    private string _kidB = null!;

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(Start);
        _store = new RecordingKeyStore();
        _replay = new InMemoryReplayCache(_time);
        _logger = new CapturingLogger<ClientAssertionValidator>();
        _keyA = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _keyB = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _keyC = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        _keyD = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        _kidA = Register("inst-a", _keyA);
        _kidB = Register("inst-b", _keyB);
        Register("inst-c", _keyC);
        Register("inst-d", _keyD);
        _validator = CreateValidator();
    }

    [TearDown]
    public void TearDown()
    {
        _keyA.Dispose();
        _keyB.Dispose();
        _keyC.Dispose();
        _keyD.Dispose();
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Happy paths
    // ----------------------------------------------------------------------------------------------------------------

    [TestCase("inst-a")]
    [TestCase("inst-c")]
    [TestCase("inst-d")]
    public async Task Hand_built_assertion_on_each_curve_is_accepted(string client)
    {
        var key = client switch { "inst-a" => _keyA, "inst-c" => _keyC, _ => _keyD };
        var result = await Validate(Forge(signer: key, kid: Thumbprint(key), client: client), clientId: client);

        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.True, () => string.Join("\n", _logger.Messages));
            Assert.That(result.ClientId, Is.EqualTo(client));
            Assert.That(result.KeyId, Is.EqualTo(Thumbprint(key)), "the registered key it was verified with");
            Assert.That(result.Error, Is.Null);
        });
    }

    [TestCase(EcdsaCurve.P256)]
    [TestCase(EcdsaCurve.P384)]
    [TestCase(EcdsaCurve.P521)]
    public async Task Assertion_from_the_factory_is_accepted(EcdsaCurve curve)
    {
        using var key = EcdsaKey.Generate(curve);
        _store.Register("inst-new", new RegisteredInstanceKey(key.KeyId, EcPublicJwkValidator.Validate(key.ToPublicJwk().ToJson())));
        using var source = new PemStringKeySource(key.ExportPkcs8PrivateKeyPem());
        var factory = new ClientAssertionFactory(source, Options.Create(new ClientAssertionOptions { InstanceId = "inst-new", Audience = Issuer }), _time);

        var result = await Validate(await factory.CreateAsync());

        Assert.That(result.IsValid, Is.True, () => string.Join("\n", _logger.Messages));
        Assert.That(result.ClientId, Is.EqualTo("inst-new"));
    }

    [TestCase("client-authentication+jwt")]
    [TestCase("application/client-authentication+jwt")]
    [TestCase("Application/client-authentication+jwt")]
    [TestCase("APPLICATION/CLIENT-AUTHENTICATION+JWT")]
    public async Task Assertion_with_accepted_typ_form_is_accepted(string typ)
    {
        var result = await Validate(Forge(header: h => h["typ"] = typ));

        Assert.That(result.IsValid, Is.True);
    }

    [Test]
    public async Task Client_id_form_value_equal_to_sub_is_accepted()
    {
        var result = await Validate(Forge(), clientId: "inst-a");

        Assert.That(result.IsValid, Is.True);
    }

    [Test]
    public async Task Assertion_just_under_the_size_limit_is_accepted()
    {
        var token = Forge(claims: c => c["pad"] = new string('a', 5500));
        Assert.That(token, Has.Length.LessThan(8192));

        Assert.That((await Validate(token)).IsValid, Is.True);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Algorithm
    // ----------------------------------------------------------------------------------------------------------------

    [TestCase("none")]
    [TestCase("None")]
    [TestCase("NONE")]
    public async Task Assertion_signed_with_alg_none_is_rejected(string none)
    {
        var header = new JsonObject { ["alg"] = none, ["typ"] = "client-authentication+jwt", ["kid"] = _kidA };
        var token = Segment(header) + "." + Segment(Claims()) + ".";

        AssertRejected(await Validate(token), Reason.AlgorithmNone);
    }

    [Test]
    public async Task Assertion_with_alg_none_and_a_bogus_signature_is_rejected()
    {
        var token = Forge(header: h => h["alg"] = "none");

        AssertRejected(await Validate(token), Reason.AlgorithmNone);
    }

    [TestCase("HS256")]
    [TestCase("HS384")]
    [TestCase("HS512")]
    public async Task Assertion_hmac_signed_with_the_registered_public_key_is_rejected(string alg)
    {
        // The classic key-confusion forgery: the public key is public, so anyone can compute this MAC.
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "client-authentication+jwt", ["kid"] = _kidA };
        var input = Segment(header) + "." + Segment(Claims());
        var publicKeyBytes = Encoding.ASCII.GetBytes(_keyA.ExportSubjectPublicKeyInfoPem());
        var token = input + "." + SignHmac(publicKeyBytes, input);

        AssertRejected(await Validate(token), Reason.AlgorithmHmac);
    }

    [Test]
    public async Task Assertion_with_es512_header_on_a_p256_key_is_rejected()
    {
        var token = Forge(header: h => h["alg"] = "ES512");

        AssertRejected(await Validate(token), Reason.AlgorithmMismatch);
    }

    [Test]
    public async Task Assertion_with_es256_header_on_a_p384_key_is_rejected()
    {
        var header = new JsonObject { ["alg"] = "ES256", ["typ"] = "client-authentication+jwt", ["kid"] = Thumbprint(_keyC) };
        var claims = Claims("inst-c");
        var input = Segment(header) + "." + Segment(claims);
        var token = input + "." + SignRaw(_keyC, HashAlgorithmName.SHA256, input);

        AssertRejected(await Validate(token), Reason.AlgorithmMismatch);
    }

    [Test]
    public async Task Es384_assertion_validly_signed_by_a_p384_key_is_refused_under_the_instances_p256_key_by_algorithm_pinning()
    {
        // Everything is right except the algorithm: claims for inst-a, a valid P-384 key and a valid ES384 signature
        // over exactly this input. inst-a's registered key is P-256, which pins ES256; the token is refused on the
        // algorithm before any signature check, so whose P-384 key signed it does not matter.
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var header = new JsonObject { ["alg"] = "ES384", ["typ"] = ClientAssertionConstants.TokenType, ["kid"] = _kidA };
        var input = Segment(header) + "." + Segment(Claims("inst-a"));
        var token = input + "." + SignRaw(p384, HashAlgorithmName.SHA384, input);

        AssertRejected(await Validate(token), Reason.AlgorithmMismatch);

        // Control: the same assertion, once that P-384 key is registered for inst-a under its own kid, is accepted, so
        // the refusal above came from the pin alone.
        var kid384 = Register("inst-a", p384);
        header["kid"] = kid384;
        input = Segment(header) + "." + Segment(Claims("inst-a"));
        var accepted = await Validate(input + "." + SignRaw(p384, HashAlgorithmName.SHA384, input));
        Assert.That(accepted.IsValid, Is.True, () => string.Join("\n", _logger.Messages));
    }

    [TestCase("http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256")]
    [TestCase("http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512")]
    [TestCase("es256")]
    [TestCase("ES256K")]
    [TestCase("RS256")]
    [TestCase("PS256")]
    [TestCase("EdDSA")]
    [TestCase("")]
    public async Task Assertion_with_an_algorithm_name_other_than_ES256_ES384_ES512_is_rejected(string alg)
    {
        var token = Forge(header: h => h["alg"] = alg);

        AssertRejected(await Validate(token), Reason.AlgorithmUnsupported);
    }

    [Test]
    public async Task Assertion_without_alg_is_rejected()
    {
        var token = Forge(header: h => h.Remove("alg"));

        AssertRejected(await Validate(token), Reason.MalformedHeader);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Signature
    // ----------------------------------------------------------------------------------------------------------------

    [Test]
    public async Task Assertion_with_der_encoded_signature_is_rejected()
    {
        var input = Segment(Header()) + "." + Segment(Claims());
        var der = SignDer(_keyA, HashAlgorithmName.SHA256, input);
        Assert.That(IsDerSequence(der), Is.True);

        AssertRejected(await Validate(input + "." + der), Reason.SignatureNotRawForm);
    }

    [Test]
    public async Task Assertion_with_truncated_signature_is_rejected()
    {
        var input = Segment(Header()) + "." + Segment(Claims());
        var signature = Unb64(SignRaw(_keyA, HashAlgorithmName.SHA256, input));

        AssertRejected(await Validate(input + "." + B64(signature[..63])), Reason.SignatureNotRawForm);
    }

    [Test]
    public async Task Assertion_with_tampered_payload_is_rejected()
    {
        var token = Forge();
        var parts = token.Split('.');
        var claims = DecodeSegment(parts[1]);
        claims["jti"] = "another-jti";

        AssertRejected(await Validate(parts[0] + "." + Segment(claims) + "." + parts[2]), Reason.SignatureInvalid);
    }

    [Test]
    public async Task Malleated_signature_with_the_same_jti_is_rejected_as_a_replay()
    {
        var token = Forge();
        var parts = token.Split('.');
        var malleated = parts[0] + "." + parts[1] + "." + Malleate(parts[2]);
        Assert.That(malleated, Is.Not.EqualTo(token), "the malleated token must be a different string");

        Assert.That((await Validate(token)).IsValid, Is.True);
        AssertRejected(await Validate(malleated), Reason.Replay);
    }

    [Test]
    public async Task Malleated_signature_alone_still_verifies_so_only_the_jti_key_stops_it()
    {
        // Shows why replay is keyed on (client, jti): (r, n - s) is a valid signature on its own.
        var token = Forge();
        var parts = token.Split('.');
        var malleated = parts[0] + "." + parts[1] + "." + Malleate(parts[2]);

        Assert.That((await Validate(malleated)).IsValid, Is.True);
        AssertRejected(await Validate(token), Reason.Replay);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Header members
    // ----------------------------------------------------------------------------------------------------------------

    [Test]
    public async Task Assertion_with_crit_header_is_rejected()
    {
        var token = Forge(header: h => h["crit"] = new JsonArray("exp"));

        AssertRejected(await Validate(token), Reason.CriticalHeader);
    }

    [Test]
    public async Task Assertion_with_b64_false_under_crit_is_rejected()
    {
        var token = Forge(header: h =>
        {
            h["b64"] = false;
            h["crit"] = new JsonArray("b64");
        });

        AssertRejected(await Validate(token), Reason.CriticalHeader);
    }

    [Test]
    public async Task Assertion_with_embedded_jwk_of_the_attackers_key_is_rejected()
    {
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = Forge(signer: attacker, kid: _kidA, header: h => h["jwk"] = Jwk(attacker));

        AssertRejected(await Validate(token), Reason.EmbeddedKeyHeader);
    }

    [TestCase("jku", "https://attacker.example/jwks.json")]
    [TestCase("x5u", "https://attacker.example/cert.pem")]
    public async Task Assertion_with_key_url_header_is_rejected(string member, string url)
    {
        var token = Forge(header: h => h[member] = url);

        AssertRejected(await Validate(token), Reason.EmbeddedKeyHeader);
    }

    [Test]
    public async Task Assertion_with_x5c_header_is_rejected()
    {
        var token = Forge(header: h => h["x5c"] = new JsonArray("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"));

        AssertRejected(await Validate(token), Reason.EmbeddedKeyHeader);
    }

    [TestCase(null)]
    [TestCase("JWT")]
    [TestCase("at+jwt")]
    [TestCase("application/jwt")]
    [TestCase("client-authentication+jwt2")]
    [TestCase("application/at+jwt")]
    [TestCase("client-authentication+jwt; charset=utf-8")]
    public async Task Assertion_with_wrong_or_missing_typ_is_rejected(string? typ)
    {
        var token = Forge(header: h =>
        {
            if (typ is null)
            {
                h.Remove("typ");
            }
            else
            {
                h["typ"] = typ;
            }
        });

        AssertRejected(await Validate(token), Reason.InvalidType);
    }

    [Test]
    public async Task Assertion_with_duplicate_header_member_is_rejected()
    {
        var header = $"{{\"alg\":\"ES256\",\"typ\":\"client-authentication+jwt\",\"kid\":\"{_kidA}\",\"kid\":\"{_kidB}\"}}";
        var input = B64(header) + "." + Segment(Claims());
        var token = input + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, input);

        AssertRejected(await Validate(token), Reason.DuplicateMember);
    }

    [Test]
    public async Task Assertion_with_duplicate_claim_is_rejected()
    {
        var claims = Claims();
        var json = claims.ToJsonString()[..^1] + ",\"sub\":\"inst-b\"}";
        var input = Segment(Header()) + "." + B64(json);
        var token = input + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, input);

        AssertRejected(await Validate(token), Reason.DuplicateMember);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Keys: kid is an opaque lookup among the claimed client's own keys
    // ----------------------------------------------------------------------------------------------------------------

    [Test]
    public async Task Assertion_signed_by_instance_b_claiming_to_be_instance_a_is_rejected()
    {
        var token = Forge(signer: _keyB, kid: _kidB, client: "inst-a");

        AssertRejected(await Validate(token), Reason.UnknownKey);
        Assert.That(_store.Requests, Is.EqualTo(new[] { "inst-a" }), "keys are looked up for the claimed client only");
    }

    [Test]
    public async Task Assertion_signed_by_instance_b_with_instance_a_kid_is_rejected()
    {
        var token = Forge(signer: _keyB, kid: _kidA, client: "inst-a");

        AssertRejected(await Validate(token), Reason.SignatureInvalid);
        Assert.That(_store.Requests, Is.EqualTo(new[] { "inst-a" }));
    }

    [Test]
    public async Task Assertion_for_an_unknown_instance_is_rejected()
    {
        var token = Forge(client: "inst-unknown");

        AssertRejected(await Validate(token), Reason.UnknownClient);
    }

    [Test]
    public async Task Assertion_without_kid_is_rejected()
    {
        var token = Forge(header: h => h.Remove("kid"));

        AssertRejected(await Validate(token), Reason.MissingKeyId);
    }

    [Test]
    public async Task Kid_differing_only_in_case_is_not_found()
    {
        var token = Forge(kid: _kidA.ToUpperInvariant() == _kidA ? _kidA.ToLowerInvariant() : _kidA.ToUpperInvariant());

        AssertRejected(await Validate(token), Reason.UnknownKey);
    }

    [TestCase("../inst-b/keys/0")]
    [TestCase("https://attacker.example/key.pem")]
    [TestCase("*")]
    [TestCase("' OR '1'='1")]
    public async Task Kid_is_an_opaque_value_never_a_path_url_or_pattern(string kid)
    {
        var token = Forge(kid: kid);

        AssertRejected(await Validate(token), Reason.UnknownKey);
        Assert.That(_store.Requests, Is.EqualTo(new[] { "inst-a" }));
    }

    [Test]
    public async Task Second_registered_key_of_the_same_instance_is_found_by_kid()
    {
        using var second = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = Register("inst-a", second);

        var result = await Validate(Forge(signer: second, kid: kid));

        Assert.That(result.IsValid, Is.True);
    }

    [Test]
    public async Task Assertion_for_a_corrupt_registered_key_is_rejected()
    {
        var jwk = Jwk(_keyA);
        var x = Unb64(jwk["x"]!.GetValue<string>());
        x[^1] ^= 1;
        _store.Register("inst-corrupt", new RegisteredInstanceKey("corrupt", new EcPublicJwk { Crv = "P-256", X = B64(x), Y = jwk["y"]!.GetValue<string>() }));

        AssertRejected(await Validate(Forge(kid: "corrupt", client: "inst-corrupt")), Reason.InvalidRegisteredKey);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Claims
    // ----------------------------------------------------------------------------------------------------------------

    [Test]
    public async Task Assertion_with_iss_different_from_sub_is_rejected()
    {
        var token = Forge(claims: c => c["iss"] = "inst-b");

        AssertRejected(await Validate(token), Reason.IssuerSubjectMismatch);
    }

    [Test]
    public async Task Assertion_with_client_id_form_value_different_from_sub_is_rejected()
    {
        AssertRejected(await Validate(Forge(), clientId: "inst-b"), Reason.ClientIdMismatch);
    }

    [Test]
    public async Task Assertion_without_sub_is_rejected()
    {
        AssertRejected(await Validate(Forge(claims: c => c.Remove("sub"))), Reason.MissingSubject);
    }

    [Test]
    public async Task Assertion_without_iss_is_rejected()
    {
        AssertRejected(await Validate(Forge(claims: c => c.Remove("iss"))), Reason.MissingIssuer);
    }

    [Test]
    public async Task Assertion_with_aud_as_one_element_array_is_rejected()
    {
        var token = Forge(claims: c => c["aud"] = new JsonArray(Issuer));

        AssertRejected(await Validate(token), Reason.AudienceNotSingleString);
    }

    [Test]
    public async Task Assertion_with_aud_array_containing_the_issuer_is_rejected()
    {
        var token = Forge(claims: c => c["aud"] = new JsonArray(Issuer, "https://other.example.com"));

        AssertRejected(await Validate(token), Reason.AudienceNotSingleString);
    }

    [Test]
    public async Task Assertion_without_aud_is_rejected()
    {
        AssertRejected(await Validate(Forge(claims: c => c.Remove("aud"))), Reason.AudienceNotSingleString);
    }

    [TestCase(Issuer + "/")]
    [TestCase(Issuer + "/oauth2/token")]
    [TestCase("https://CONTROLLER.example.com")]
    [TestCase("https://controller.example.com:443")]
    [TestCase("https://attacker.example.com")]
    [TestCase("")]
    public async Task Assertion_with_aud_not_exactly_the_issuer_is_rejected(string aud)
    {
        var token = Forge(claims: c => c["aud"] = aud);

        AssertRejected(await Validate(token), Reason.AudienceMismatch);
    }

    [Test]
    public async Task Assertion_without_exp_is_rejected()
    {
        AssertRejected(await Validate(Forge(claims: c => c.Remove("exp"))), Reason.MissingExpiration);
    }

    [Test]
    public async Task Assertion_with_exp_as_a_string_is_rejected()
    {
        AssertRejected(await Validate(Forge(claims: c => c["exp"] = (Now + 60).ToString(System.Globalization.CultureInfo.InvariantCulture))), Reason.MissingExpiration);
    }

    [Test]
    public async Task Assertion_without_iat_is_rejected()
    {
        AssertRejected(await Validate(Forge(claims: c => c.Remove("iat"))), Reason.MissingIssuedAt);
    }

    [Test]
    public async Task Assertion_without_jti_is_rejected()
    {
        AssertRejected(await Validate(Forge(claims: c => c.Remove("jti"))), Reason.MissingTokenId);
    }

    [Test]
    public async Task Assertion_with_empty_jti_is_rejected()
    {
        AssertRejected(await Validate(Forge(claims: c => c["jti"] = string.Empty)), Reason.MissingTokenId);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Time (FakeTimeProvider)
    // ----------------------------------------------------------------------------------------------------------------

    [Test]
    public async Task Assertion_with_lifetime_over_60_seconds_is_rejected()
    {
        var token = Forge(claims: c => c["exp"] = Now + 61);

        AssertRejected(await Validate(token), Reason.LifetimeTooLong);
    }

    [Test]
    public async Task Assertion_with_the_library_default_lifetime_of_an_hour_is_rejected()
    {
        var token = Forge(claims: c => c["exp"] = Now + 3600);

        AssertRejected(await Validate(token), Reason.LifetimeTooLong);
    }

    [Test]
    public async Task Assertion_with_lifetime_of_exactly_60_seconds_is_accepted()
    {
        Assert.That((await Validate(Forge(claims: c => c["exp"] = Now + 60))).IsValid, Is.True);
    }

    [Test]
    public async Task Assertion_with_lifetime_over_a_configured_shorter_maximum_is_rejected()
    {
        _validator = CreateValidator(o => o.MaxLifetime = TimeSpan.FromSeconds(20));

        AssertRejected(await Validate(Forge(claims: c => c["exp"] = Now + 21)), Reason.LifetimeTooLong);
    }

    [Test]
    public async Task Assertion_with_exp_not_after_iat_is_rejected()
    {
        AssertRejected(await Validate(Forge(claims: c => c["exp"] = Now)), Reason.ExpirationNotAfterIssuedAt);
    }

    [Test]
    public async Task Assertion_issued_more_than_the_skew_in_the_future_is_rejected()
    {
        var token = Forge(claims: c =>
        {
            c["iat"] = Now + 31;
            c["exp"] = Now + 91;
        });

        AssertRejected(await Validate(token), Reason.IssuedInFuture);
    }

    [Test]
    public async Task Assertion_issued_within_the_skew_in_the_future_is_accepted()
    {
        var token = Forge(claims: c =>
        {
            c["iat"] = Now + 29;
            c["exp"] = Now + 89;
        });

        Assert.That((await Validate(token)).IsValid, Is.True);
    }

    [Test]
    public async Task Assertion_issued_too_long_ago_is_rejected()
    {
        var token = Forge();
        _time.Advance(TimeSpan.FromSeconds(100));

        AssertRejected(await Validate(token), Reason.IssuedTooLongAgo);
    }

    [Test]
    public async Task Assertion_expired_by_more_than_the_skew_is_rejected()
    {
        var token = Forge(claims: c => c["exp"] = Now + 49);
        _time.Advance(TimeSpan.FromSeconds(80));

        AssertRejected(await Validate(token), Reason.Expired);
    }

    [Test]
    public async Task Assertion_expired_within_the_skew_is_accepted()
    {
        var token = Forge(claims: c => c["exp"] = Now + 51);
        _time.Advance(TimeSpan.FromSeconds(80));

        Assert.That((await Validate(token)).IsValid, Is.True);
    }

    [Test]
    public async Task Assertion_with_smaller_configured_skew_is_held_to_it()
    {
        _validator = CreateValidator(o => o.ClockSkew = TimeSpan.FromSeconds(5));
        var token = Forge(claims: c =>
        {
            c["iat"] = Now + 6;
            c["exp"] = Now + 30;
        });

        AssertRejected(await Validate(token), Reason.IssuedInFuture);
    }

    [Test]
    public async Task Assertion_with_nbf_in_the_future_is_rejected()
    {
        AssertRejected(await Validate(Forge(claims: c => c["nbf"] = Now + 45)), Reason.NotYetValid);
    }

    [TestCase(31)]
    [TestCase(120)]
    public void Clock_skew_over_30_seconds_cannot_be_configured(int seconds)
    {
        Assert.Throws<OptionsValidationException>(() => CreateValidator(o => o.ClockSkew = TimeSpan.FromSeconds(seconds)));
    }

    [Test]
    public void Maximum_lifetime_over_60_seconds_cannot_be_configured()
    {
        Assert.Throws<OptionsValidationException>(() => CreateValidator(o => o.MaxLifetime = TimeSpan.FromSeconds(61)));
    }

    [Test]
    public void Validator_without_issuer_cannot_be_created()
    {
        Assert.Throws<OptionsValidationException>(() => CreateValidator(o => o.Issuer = string.Empty));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Shape and size
    // ----------------------------------------------------------------------------------------------------------------

    [Test]
    public async Task Assertion_over_8_kilobytes_is_rejected()
    {
        var token = Forge(claims: c => c["pad"] = new string('a', 8000));
        Assert.That(token, Has.Length.GreaterThan(8192));

        AssertRejected(await Validate(token), Reason.TooLarge);
    }

    [Test]
    public async Task Assertion_in_flattened_json_serialization_is_rejected()
    {
        var input = Segment(Header()) + "." + Segment(Claims());
        var parts = (input + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, input)).Split('.');
        var json = new JsonObject { ["protected"] = parts[0], ["payload"] = parts[1], ["signature"] = parts[2] }.ToJsonString();

        AssertRejected(await Validate(json), Reason.JsonSerialization);
    }

    [Test]
    public async Task Assertion_in_general_json_serialization_is_rejected()
    {
        var input = Segment(Header()) + "." + Segment(Claims());
        var parts = (input + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, input)).Split('.');
        var json = new JsonObject
        {
            ["payload"] = parts[1],
            ["signatures"] = new JsonArray(new JsonObject { ["protected"] = parts[0], ["signature"] = parts[2] }),
        }.ToJsonString();

        AssertRejected(await Validate(" " + json), Reason.JsonSerialization);
    }

    [Test]
    public async Task Five_part_jwe_shaped_assertion_is_rejected()
    {
        var header = new JsonObject { ["alg"] = "RSA-OAEP", ["enc"] = "A256GCM", ["typ"] = "client-authentication+jwt", ["kid"] = _kidA };
        var token = string.Join('.', Segment(header), B64(RandomNumberGenerator.GetBytes(256)), B64(RandomNumberGenerator.GetBytes(12)), B64(RandomNumberGenerator.GetBytes(64)), B64(RandomNumberGenerator.GetBytes(16)));

        AssertRejected(await Validate(token), Reason.Encrypted);
    }

    [Test]
    public async Task Three_part_assertion_with_enc_header_is_rejected()
    {
        AssertRejected(await Validate(Forge(header: h => h["enc"] = "A256GCM")), Reason.Encrypted);
    }

    [TestCase("a.b")]
    [TestCase("a.b.c.d")]
    [TestCase("not a token")]
    [TestCase("eyJhbGciOiJFUzI1NiJ9=.e30.e30")]
    public async Task Malformed_compact_serialization_is_rejected(string token)
    {
        AssertRejected(await Validate(token), Reason.Malformed);
    }

    [Test]
    public async Task Header_that_is_not_a_json_object_is_rejected()
    {
        var input = B64("[\"ES256\"]") + "." + Segment(Claims());

        AssertRejected(await Validate(input + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, input)), Reason.MalformedHeader);
    }

    [Test]
    public async Task Invalid_UTF8_inside_a_JSON_string_is_a_malformed_segment_not_a_crash()
    {
        // {"<0x80>":0} and {"kid":"<0x80>"}: the JSON parser accepts both, reading the name or value throws.
        byte[] badName = [0x7B, 0x22, 0x80, 0x22, 0x3A, 0x30, 0x7D];
        byte[] badValue = [.. Encoding.UTF8.GetBytes("{\"alg\":\"ES256\",\"kid\":\""), 0x80, .. Encoding.UTF8.GetBytes("\"}")];
        var inHeader = B64(badName) + "." + Segment(Claims());
        var inKid = B64(badValue) + "." + Segment(Claims());
        var inPayload = Segment(Header()) + "." + B64([.. Encoding.UTF8.GetBytes("{\"sub\":\""), 0x80, .. Encoding.UTF8.GetBytes("\"}")]);

        AssertRejected(await Validate(inHeader + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, inHeader)), Reason.MalformedHeader);
        AssertRejected(await Validate(inKid + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, inKid)), Reason.MalformedHeader);
        AssertRejected(await Validate(inPayload + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, inPayload)), Reason.MalformedPayload);
    }

    [Test]
    public async Task A_lone_surrogate_escape_in_a_name_or_value_is_a_malformed_segment_not_a_crash()
    {
        // Valid UTF-8 and valid JSON, but System.Text.Json refuses to read "\ud800" as a string.
        var name = B64(Encoding.UTF8.GetBytes($"{{\"alg\":\"ES256\",\"typ\":\"{ClientAssertionConstants.TokenType}\",\"kid\":\"{_kidA}\",\"\\udc00\":1}}"));
        var kid = B64(Encoding.UTF8.GetBytes($"{{\"alg\":\"ES256\",\"typ\":\"{ClientAssertionConstants.TokenType}\",\"kid\":\"\\ud800\"}}"));
        var inHeaderName = name + "." + Segment(Claims());
        var inKid = kid + "." + Segment(Claims());
        var inSubject = Segment(Header()) + "." + B64(Encoding.UTF8.GetBytes("{\"sub\":\"a\\ud800\",\"iss\":\"a\\ud800\"}"));
        var inAudience = Segment(Header()) + "." + B64(Encoding.UTF8.GetBytes("{\"sub\":\"inst-a\",\"iss\":\"inst-a\",\"aud\":\"\\udfff\"}"));

        AssertRejected(await Validate(inHeaderName + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, inHeaderName)), Reason.MalformedHeader);
        AssertRejected(await Validate(inKid + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, inKid)), Reason.MalformedHeader);
        AssertRejected(await Validate(inSubject + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, inSubject)), Reason.MalformedPayload);
        AssertRejected(await Validate(inAudience + "." + SignRaw(_keyA, HashAlgorithmName.SHA256, inAudience)), Reason.MalformedPayload);
    }

    [Test]
    public async Task Missing_assertion_is_rejected()
    {
        var result = await _validator.ValidateAsync(new ClientAssertionRequest { ClientAssertionType = ClientAssertionConstants.AssertionType });

        AssertRejected(result, Reason.MissingAssertion);
    }

    [TestCase(null)]
    [TestCase("urn:ietf:params:oauth:client-assertion-type:saml2-bearer")]
    [TestCase("URN:IETF:PARAMS:OAUTH:CLIENT-ASSERTION-TYPE:JWT-BEARER")]
    public async Task Wrong_client_assertion_type_is_rejected(string? type)
    {
        var result = await _validator.ValidateAsync(new ClientAssertionRequest { ClientAssertionType = type, ClientAssertion = Forge() });

        AssertRejected(result, Reason.InvalidAssertionType);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Replay
    // ----------------------------------------------------------------------------------------------------------------

    [Test]
    public async Task Replayed_assertion_is_rejected()
    {
        var token = Forge();

        Assert.That((await Validate(token)).IsValid, Is.True);
        AssertRejected(await Validate(token), Reason.Replay);
    }

    [Test]
    public async Task New_assertion_reusing_a_jti_is_rejected_as_a_replay()
    {
        Assert.That((await Validate(Forge(claims: c => c["jti"] = "fixed"))).IsValid, Is.True);
        _time.Advance(TimeSpan.FromSeconds(5));

        AssertRejected(await Validate(Forge(claims: c => c["jti"] = "fixed")), Reason.Replay);
    }

    [Test]
    public async Task Same_jti_from_another_client_is_not_a_replay()
    {
        Assert.That((await Validate(Forge(claims: c => c["jti"] = "shared"))).IsValid, Is.True);

        var result = await Validate(Forge(signer: _keyB, kid: _kidB, client: "inst-b", claims: c => c["jti"] = "shared"));

        Assert.That(result.IsValid, Is.True);
    }

    [Test]
    public async Task Forged_assertion_does_not_burn_the_jti_of_the_real_client()
    {
        // The replay entry is written only after the signature verifies.
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        AssertRejected(await Validate(Forge(signer: attacker, kid: _kidA, claims: c => c["jti"] = "victim")), Reason.SignatureInvalid);

        Assert.That((await Validate(Forge(claims: c => c["jti"] = "victim"))).IsValid, Is.True);
    }

    [Test]
    public async Task Concurrent_submissions_of_one_assertion_are_accepted_once()
    {
        var token = Forge();

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => Validate(token))));

        Assert.That(results.Count(r => r.IsValid), Is.EqualTo(1));
        Assert.That(results.Where(r => !r.IsValid).Select(r => r.Reason), Is.All.EqualTo(Reason.Replay));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // One public answer, reason in the log only
    // ----------------------------------------------------------------------------------------------------------------

    [Test]
    public async Task Every_failure_gives_the_same_public_answer()
    {
        var failures = new[]
        {
            await Validate(Forge(header: h => h["alg"] = "none")),
            await Validate(Forge(claims: c => c["aud"] = Issuer + "/")),
            await Validate(Forge(client: "inst-unknown")),
            await Validate(Forge(signer: _keyB, kid: _kidA)),
        };

        Assert.That(failures.Select(f => f.Reason).Distinct().Count(), Is.EqualTo(4), "distinct internal reasons");
        Assert.That(failures.Select(f => (f.IsValid, f.Error, f.ErrorDescription, f.ClientId)).Distinct().Count(), Is.EqualTo(1), "one public result");
        Assert.That(failures[0].Error, Is.EqualTo("invalid_client"));
    }

    [Test]
    public async Task Rejection_reason_is_logged_and_the_token_is_not()
    {
        var token = Forge(claims: c => c["aud"] = Issuer + "/");
        var parts = token.Split('.');

        await Validate(token);

        var log = string.Join("\n", _logger.Messages);
        Assert.That(log, Does.Contain(nameof(Reason.AudienceMismatch)));
        Assert.That(log, Does.Contain("inst-a"));
        Assert.That(log, Does.Not.Contain(parts[1]).And.Not.Contain(parts[2]));
    }

    [Test]
    public async Task Claimed_client_id_is_sanitised_before_logging()
    {
        await Validate(Forge(client: "inst-x\nFAKE LOG LINE"));

        Assert.That(_logger.Messages.Any(m => m.Contains("inst-x?FAKE LOG LINE", StringComparison.Ordinal)), Is.True);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Helpers
    // ----------------------------------------------------------------------------------------------------------------

    private ClientAssertionValidator CreateValidator(Action<ClientAssertionValidationOptions>? configure = null)
    {
        var options = new ClientAssertionValidationOptions { Issuer = Issuer };
        configure?.Invoke(options);
        return new ClientAssertionValidator(_store, _replay, Options.Create(options), _logger, _time);
    }

    private string Register(string instanceId, ECDsa key)
    {
        var jwk = EcPublicJwkValidator.Validate(Jwk(key).ToJsonString());
        _store.Register(instanceId, new RegisteredInstanceKey(jwk.Kid!, jwk));
        return jwk.Kid!;
    }

    private JsonObject Header(ECDsa? key = null, string? kid = null) => new()
    {
        ["alg"] = AlgFor(key ?? _keyA),
        ["typ"] = ClientAssertionConstants.TokenType,
        ["kid"] = kid ?? _kidA,
    };

    private JsonObject Claims(string client = "inst-a") => new()
    {
        ["iss"] = client,
        ["sub"] = client,
        ["aud"] = Issuer,
        ["jti"] = Guid.NewGuid().ToString("N"),
        ["iat"] = Now,
        ["exp"] = Now + 60,
    };

    private string Forge(Action<JsonObject>? header = null, Action<JsonObject>? claims = null, ECDsa? signer = null, string? kid = null, string client = "inst-a")
    {
        signer ??= _keyA;
        var h = Header(signer, kid);
        header?.Invoke(h);
        var c = Claims(client);
        claims?.Invoke(c);
        var input = Segment(h) + "." + Segment(c);
        return input + "." + SignRaw(signer, HashFor(signer), input);
    }

    private Task<ClientAssertionValidationResult> Validate(string token, string? clientId = null) =>
        _validator.ValidateAsync(new ClientAssertionRequest
        {
            ClientAssertionType = ClientAssertionConstants.AssertionType,
            ClientAssertion = token,
            ClientId = clientId,
        });

    private void AssertRejected(ClientAssertionValidationResult result, Reason reason)
    {
        Assert.Multiple(() =>
        {
            Assert.That(result.Reason, Is.EqualTo(reason), () => string.Join("\n", _logger.Messages));
            Assert.That(result.IsValid, Is.False);
            Assert.That(result.Error, Is.EqualTo("invalid_client"));
            Assert.That(result.ErrorDescription, Is.EqualTo("Client authentication failed."));
            Assert.That(result.ClientId, Is.Null);
        });
    }
}
