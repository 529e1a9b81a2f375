using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Keys;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Databacker.Api.Auth.Tests.Support.Jose;

namespace Databacker.Api.Auth.Tests;

[TestFixture]
public sealed class AccessTokenIssuerTests
{
    private const string Issuer = "https://controller.example.com";
    private const string Orchestration = "https://controller.example.com/orchestration";
    private const string Reporting = "https://controller.example.com/reporting";

    private FakeTimeProvider _time = null!;
    private EcdsaKey _key = null!;
    private SigningKeyRing _ring = null!;
    private AccessTokenIssuer _issuer = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _key = EcdsaKey.Generate();
        _ring = new SigningKeyRing(timeProvider: _time);
        _ring.Add(_key);
        _issuer = new AccessTokenIssuer(_ring, Options.Create(IssuanceOptions()), _time);
    }

    [TearDown]
    public void TearDown() => _key.Dispose();

    [Test]
    public void Access_token_is_an_rfc9068_jwt_with_the_expected_claims()
    {
        var result = _issuer.Issue("inst-a", "orchestration");
        var parts = result.AccessToken!.Split('.');
        var header = DecodeSegment(parts[0]);
        var claims = DecodeSegment(parts[1]);

        Assert.Multiple(() =>
        {
            Assert.That(header["typ"]!.GetValue<string>(), Is.EqualTo("at+jwt"));
            Assert.That(header["alg"]!.GetValue<string>(), Is.EqualTo("ES256"));
            Assert.That(header["kid"]!.GetValue<string>(), Is.EqualTo(_key.KeyId));
            Assert.That(claims.Select(m => m.Key), Is.EquivalentTo(new[] { "iss", "sub", "client_id", "aud", "scope", "jti", "iat", "exp" }));
            Assert.That(claims["iss"]!.GetValue<string>(), Is.EqualTo(Issuer));
            Assert.That(claims["sub"]!.GetValue<string>(), Is.EqualTo("inst-a"));
            Assert.That(claims["client_id"]!.GetValue<string>(), Is.EqualTo("inst-a"));
            Assert.That(claims["aud"]!.GetValue<string>(), Is.EqualTo(Orchestration));
            Assert.That(claims["scope"]!.GetValue<string>(), Is.EqualTo("orchestration"));
            Assert.That(claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>(), Is.EqualTo(600));
            Assert.That(result.ExpiresIn, Is.EqualTo(600));
            Assert.That(result.TokenType, Is.EqualTo("Bearer"));
        });
    }

    [Test]
    public void A_token_issued_on_a_validated_assertion_names_the_instance_key_it_was_verified_with()
    {
        var result = _issuer.Issue(Databacker.Api.Auth.Validation.ClientAssertionValidationResult.Success("inst-a", "key-1"), "orchestration");
        var claims = DecodeSegment(result.AccessToken!.Split('.')[1]);

        Assert.Multiple(() =>
        {
            Assert.That(claims["sub"]!.GetValue<string>(), Is.EqualTo("inst-a"));
            Assert.That(claims[AccessTokenIssuer.InstanceKeyIdClaim]!.GetValue<string>(), Is.EqualTo("key-1"));
            Assert.That(DecodeSegment(_issuer.Issue("inst-a", "orchestration").AccessToken!.Split('.')[1]).ContainsKey(AccessTokenIssuer.InstanceKeyIdClaim), Is.False, "only when known");
        });
    }

    [Test]
    public void A_failed_validation_gets_no_token()
    {
        var failed = Databacker.Api.Auth.Validation.ClientAssertionValidationResult.Failure(Databacker.Api.Auth.Validation.ClientAssertionRejectionReason.Replay);

        Assert.Throws<ArgumentException>(() => _issuer.Issue(failed, "orchestration"));
    }

    [Test]
    public async Task Access_token_verifies_against_the_published_jwks()
    {
        var token = _issuer.Issue("inst-a", "reporting").AccessToken!;
        var jwks = new JsonWebKeySet(_ring.GetJsonWebKeySet().ToJson());

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidIssuer = Issuer,
            ValidAudience = Reporting,
            ValidAlgorithms = ["ES256"],
            ValidTypes = ["at+jwt"],
        });

        Assert.That(result.IsValid, Is.True, () => result.Exception?.ToString() ?? string.Empty);
    }

    [Test]
    public void Orchestration_and_reporting_tokens_get_different_audiences()
    {
        var orchestration = DecodeSegment(_issuer.Issue("inst-a", "orchestration").AccessToken!.Split('.')[1]);
        var reporting = DecodeSegment(_issuer.Issue("inst-a", "reporting").AccessToken!.Split('.')[1]);

        Assert.That(orchestration["aud"]!.GetValue<string>(), Is.EqualTo(Orchestration));
        Assert.That(reporting["aud"]!.GetValue<string>(), Is.EqualTo(Reporting));
    }

    [TestCase("orchestration reporting")]
    [TestCase("admin")]
    [TestCase("")]
    [TestCase(null)]
    public void Unsupported_or_mixed_scopes_get_invalid_scope(string? scope)
    {
        var result = _issuer.Issue("inst-a", scope);

        Assert.That(result.IsSuccess, Is.False);
        Assert.That(result.Error, Is.EqualTo("invalid_scope"));
        Assert.That(result.AccessToken, Is.Null);
    }

    [Test]
    public void Configured_lifetime_is_used()
    {
        var options = IssuanceOptions();
        options.TokenLifetime = TimeSpan.FromMinutes(5);
        var issuer = new AccessTokenIssuer(_ring, Options.Create(options), _time);

        var claims = DecodeSegment(issuer.Issue("inst-a", "orchestration").AccessToken!.Split('.')[1]);

        Assert.That(claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>(), Is.EqualTo(300));
    }

    [Test]
    public void Invalid_issuance_options_are_refused_up_front()
    {
        var tooLong = IssuanceOptions();
        tooLong.TokenLifetime = TimeSpan.FromHours(2);
        var noAudiences = new AccessTokenIssuanceOptions { Issuer = Issuer };

        Assert.Throws<OptionsValidationException>(() => _ = new AccessTokenIssuer(_ring, Options.Create(tooLong), _time));
        Assert.Throws<OptionsValidationException>(() => _ = new AccessTokenIssuer(_ring, Options.Create(noAudiences), _time));
    }

    private static AccessTokenIssuanceOptions IssuanceOptions()
    {
        var options = new AccessTokenIssuanceOptions { Issuer = Issuer };
        options.ScopeAudiences["orchestration"] = Orchestration;
        options.ScopeAudiences["reporting"] = Reporting;
        return options;
    }
}
