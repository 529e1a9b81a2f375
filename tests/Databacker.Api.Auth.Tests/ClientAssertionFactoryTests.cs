using System.Security.Cryptography;
using System.Text;
using Databacker.Api.Auth.ClientAssertions;
using Databacker.Api.Auth.Keys;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Databacker.Api.Auth.Tests.Support.Jose;

namespace Databacker.Api.Auth.Tests;

[TestFixture]
public sealed class ClientAssertionFactoryTests
{
    private const string Issuer = "https://controller.example.com";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 6, 1, 8, 0, 0, TimeSpan.Zero));

    [TestCase(EcdsaCurve.P256, "ES256", 64)]
    [TestCase(EcdsaCurve.P384, "ES384", 96)]
    [TestCase(EcdsaCurve.P521, "ES512", 132)]
    public async Task Assertion_header_has_typ_kid_and_the_curve_algorithm_and_an_r_s_signature(EcdsaCurve curve, string alg, int signatureLength)
    {
        using var key = EcdsaKey.Generate(curve);
        using var source = new PemStringKeySource(key.ExportPkcs8PrivateKeyPem());

        var parts = (await Factory(source).CreateAsync()).Split('.');
        var header = DecodeSegment(parts[0]);

        Assert.Multiple(() =>
        {
            Assert.That(header["alg"]!.GetValue<string>(), Is.EqualTo(alg));
            Assert.That(header["typ"]!.GetValue<string>(), Is.EqualTo("client-authentication+jwt"));
            Assert.That(header["kid"]!.GetValue<string>(), Is.EqualTo(key.KeyId));
            Assert.That(header.Select(m => m.Key), Is.EquivalentTo(new[] { "alg", "typ", "kid" }));
            Assert.That(Unb64(parts[2]), Has.Length.EqualTo(signatureLength));
        });
    }

    [Test]
    public async Task Assertion_claims_are_iss_sub_aud_jti_iat_exp_and_nothing_else()
    {
        using var source = Source(out _);

        var claims = DecodeSegment((await Factory(source).CreateAsync()).Split('.')[1]);

        Assert.Multiple(() =>
        {
            Assert.That(claims.Select(m => m.Key), Is.EquivalentTo(new[] { "iss", "sub", "aud", "jti", "iat", "exp" }));
            Assert.That(claims["iss"]!.GetValue<string>(), Is.EqualTo("inst-a"));
            Assert.That(claims["sub"]!.GetValue<string>(), Is.EqualTo("inst-a"));
            Assert.That(claims["aud"]!.GetValue<string>(), Is.EqualTo(Issuer), "aud is the issuer, a single string");
            Assert.That(claims["iat"]!.GetValue<long>(), Is.EqualTo(_time.GetUtcNow().ToUnixTimeSeconds()));
            Assert.That(claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>(), Is.EqualTo(60));
        });
    }

    [Test]
    public async Task Assertion_signature_verifies_with_the_public_key()
    {
        using var source = Source(out var ecdsa);
        using (ecdsa)
        {
            var token = await Factory(source).CreateAsync();
            var dot = token.LastIndexOf('.');

            var valid = ecdsa.VerifyData(Encoding.ASCII.GetBytes(token[..dot]), Unb64(token[(dot + 1)..]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

            Assert.That(valid, Is.True);
        }
    }

    [Test]
    public async Task Every_assertion_has_a_fresh_jti()
    {
        using var source = Source(out _);
        var factory = Factory(source);

        var jtis = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            jtis.Add(DecodeSegment((await factory.CreateAsync()).Split('.')[1])["jti"]!.GetValue<string>());
        }

        Assert.That(jtis, Has.Count.EqualTo(20));
    }

    [Test]
    public async Task Configured_shorter_lifetime_is_used()
    {
        using var source = Source(out _);

        var claims = DecodeSegment((await Factory(source, o => o.Lifetime = TimeSpan.FromSeconds(20)).CreateAsync()).Split('.')[1]);

        Assert.That(claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>(), Is.EqualTo(20));
    }

    [Test]
    public async Task Time_comes_from_the_time_provider()
    {
        using var source = Source(out _);
        var factory = Factory(source);
        var first = DecodeSegment((await factory.CreateAsync()).Split('.')[1])["iat"]!.GetValue<long>();

        _time.Advance(TimeSpan.FromMinutes(7));
        var second = DecodeSegment((await factory.CreateAsync()).Split('.')[1])["iat"]!.GetValue<long>();

        Assert.That(second - first, Is.EqualTo(420));
    }

    [Test]
    public async Task Configured_kid_overrides_the_thumbprint()
    {
        using var source = Source(out _);

        var header = DecodeSegment((await Factory(source, o => o.KeyId = "registered-1").CreateAsync()).Split('.')[0]);

        Assert.That(header["kid"]!.GetValue<string>(), Is.EqualTo("registered-1"));
    }

    [TestCase(61)]
    [TestCase(3600)]
    [TestCase(0)]
    public void Lifetime_outside_1_to_60_seconds_cannot_be_configured(int seconds)
    {
        using var source = Source(out _);

        Assert.Throws<OptionsValidationException>(() => Factory(source, o => o.Lifetime = TimeSpan.FromSeconds(seconds)));
    }

    [Test]
    public void Factory_without_instance_id_or_audience_cannot_be_created()
    {
        using var source = Source(out _);

        Assert.Throws<OptionsValidationException>(() => Factory(source, o => o.InstanceId = ""));
        Assert.Throws<OptionsValidationException>(() => Factory(source, o => o.Audience = "not a uri"));
    }

    private PemStringKeySource Source(out ECDsa ecdsa)
    {
        ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new PemStringKeySource(ecdsa.ExportPkcs8PrivateKeyPem());
    }

    private ClientAssertionFactory Factory(IInstanceKeySource source, Action<ClientAssertionOptions>? configure = null)
    {
        var options = new ClientAssertionOptions { InstanceId = "inst-a", Audience = Issuer };
        configure?.Invoke(options);
        return new ClientAssertionFactory(source, Options.Create(options), _time);
    }
}
