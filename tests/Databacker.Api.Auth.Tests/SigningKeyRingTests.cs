using System.Text.Json.Nodes;
using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Keys;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Databacker.Api.Auth.Tests.Support.Jose;

namespace Databacker.Api.Auth.Tests;

[TestFixture]
public sealed class SigningKeyRingTests
{
    private FakeTimeProvider _time = null!;
    private SigningKeyRing _ring = null!;
    private AccessTokenIssuer _issuer = null!;
    private readonly List<EcdsaKey> _keys = [];

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _ring = new SigningKeyRing(Options.Create(new SigningKeyRingOptions { PublicationLead = TimeSpan.FromMinutes(10), RetentionMargin = TimeSpan.FromMinutes(1) }), _time);
        var options = new AccessTokenIssuanceOptions { Issuer = "https://controller.example.com" };
        options.ScopeAudiences["orchestration"] = "https://controller.example.com/orchestration";
        _issuer = new AccessTokenIssuer(_ring, Options.Create(options), _time);
    }

    [TearDown]
    public void TearDown()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }

        _keys.Clear();
    }

    [Test]
    public void Empty_ring_cannot_sign()
    {
        Assert.Throws<InvalidOperationException>(() => _issuer.Issue("inst-a", "orchestration"));
    }

    [Test]
    public void First_key_signs_at_once_and_is_published()
    {
        var first = NewKey();
        _ring.Add(first);

        Assert.That(SignedBy(), Is.EqualTo(first.KeyId));
        Assert.That(JwksKids(), Is.EqualTo(new[] { first.KeyId }));
        Assert.That(_ring.GetStatus().Single().State, Is.EqualTo(SigningKeyState.Active));
    }

    [Test]
    public void New_key_cannot_sign_before_it_has_been_published_for_the_lead_time()
    {
        _ring.Add(NewKey());

        Assert.Throws<InvalidOperationException>(() => _ring.Add(NewKey()));
        Assert.Throws<InvalidOperationException>(() => _ring.Add(NewKey(), _time.GetUtcNow().AddMinutes(9)));
    }

    [Test]
    public void New_key_is_published_before_it_signs()
    {
        var old = NewKey();
        var next = NewKey();
        _ring.Add(old);
        _ring.Add(next, _time.GetUtcNow().AddMinutes(10));

        Assert.That(JwksKids(), Is.EquivalentTo(new[] { old.KeyId, next.KeyId }));
        Assert.That(SignedBy(), Is.EqualTo(old.KeyId));
        Assert.That(_ring.GetStatus().Single(s => s.KeyId == next.KeyId).State, Is.EqualTo(SigningKeyState.Published));

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.That(SignedBy(), Is.EqualTo(next.KeyId));
        Assert.That(_ring.GetStatus().Single(s => s.KeyId == old.KeyId).State, Is.EqualTo(SigningKeyState.Retired));
    }

    [Test]
    public void Retired_key_stays_in_the_jwks_until_every_token_it_signed_has_expired()
    {
        var old = NewKey();
        var next = NewKey();
        _ring.Add(old);
        _ring.Add(next, _time.GetUtcNow().AddMinutes(10));

        _time.Advance(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(59));
        Assert.That(SignedBy(), Is.EqualTo(old.KeyId)); // expires 10 min later, at 19:59
        _time.Advance(TimeSpan.FromSeconds(1));           // next activates at 10:00

        _time.Advance(TimeSpan.FromMinutes(10));          // 20:00: the last old token expired 1 s ago, margin 1 min
        Assert.That(JwksKids(), Does.Contain(old.KeyId));
        var status = _ring.GetStatus().Single(s => s.KeyId == old.KeyId);
        Assert.That(status.RetainedUntil, Is.EqualTo(_time.GetUtcNow().AddSeconds(59)));

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.That(JwksKids(), Is.EqualTo(new[] { next.KeyId }));
    }

    [Test]
    public void Retired_key_that_signed_nothing_is_dropped_after_the_margin()
    {
        var old = NewKey();
        var next = NewKey();
        _ring.Add(old);
        _ring.Add(next, _time.GetUtcNow().AddMinutes(10));

        _time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(59));
        Assert.That(JwksKids(), Does.Contain(old.KeyId));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(JwksKids(), Is.EqualTo(new[] { next.KeyId }));
    }

    [Test]
    public void Jwks_holds_only_public_members()
    {
        _ring.Add(NewKey());

        var jwks = JsonNode.Parse(_ring.GetJsonWebKeySet().ToJson())!;
        var key = jwks["keys"]![0]!.AsObject();

        Assert.That(key.Select(m => m.Key), Is.EquivalentTo(new[] { "kty", "crv", "x", "y", "kid", "alg", "use" }));
        Assert.That(key["alg"]!.GetValue<string>(), Is.EqualTo("ES256"));
    }

    [Test]
    public void Ring_accepts_only_p256_private_keys_with_unique_ids()
    {
        using var p384 = EcdsaKey.Generate(EcdsaCurve.P384);
        var key = NewKey();
        using var publicOnly = EcdsaKey.ImportPem(key.ExportSubjectPublicKeyInfoPem());

        Assert.Throws<ArgumentException>(() => _ring.Add(p384));
        Assert.Throws<ArgumentException>(() => _ring.Add(publicOnly));
        _ring.Add(key);
        Assert.Throws<ArgumentException>(() => _ring.Add(key, _time.GetUtcNow().AddHours(1)));
    }

    private EcdsaKey NewKey()
    {
        var key = EcdsaKey.Generate();
        _keys.Add(key);
        return key;
    }

    private string SignedBy() => DecodeSegment(_issuer.Issue("inst-a", "orchestration").AccessToken!.Split('.')[0])["kid"]!.GetValue<string>();

    private string[] JwksKids() => [.. _ring.GetJsonWebKeySet().Keys.Select(k => k.Kid!)];
}
