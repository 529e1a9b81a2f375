using System.Security.Cryptography;
using Databacker.Api.Server.Authentication;
using Databacker.Api.Server.Caching;
using Databacker.Api.Server.DependencyInjection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Databacker.Api.Server.Tests;

/// <summary>Validated agent tokens are remembered briefly; failures never are, and nothing outlives the token.</summary>
public sealed class TokenValidationCacheTests
{
    private const string Issuer = "https://controller.test";
    private readonly ECDsaSecurityKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "k1" };
    private FakeTimeProvider _time = null!;
    private int _keyLookups;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _keyLookups = 0;
    }

    private TokenValidationParameters Parameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Issuer + "/orchestration",
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        IssuerSigningKeyResolver = (_, _, _, _) =>
        {
            Interlocked.Increment(ref _keyLookups);
            return [_key];
        },
    };

    private string Token(TimeSpan lifetime) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Issuer + "/orchestration",
        Expires = DateTime.UtcNow + lifetime,
        Claims = new Dictionary<string, object> { ["sub"] = "orders-db", ["scope"] = "orchestration" },
        SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256),
    });

    [Test]
    public async Task A_token_validated_once_is_not_verified_again_and_each_hit_gets_its_own_identity()
    {
        var handler = new CachingJsonWebTokenHandler(_time, TimeSpan.FromMinutes(1), 100);
        var token = Token(TimeSpan.FromMinutes(10));

        var first = await handler.ValidateTokenAsync(token, Parameters());
        var second = await handler.ValidateTokenAsync(token, Parameters());
        var third = await handler.ValidateTokenAsync(token, Parameters());

        Assert.Multiple(() =>
        {
            Assert.That(first.IsValid && second.IsValid && third.IsValid, Is.True);
            Assert.That(_keyLookups, Is.EqualTo(1), "one signature verification");
            Assert.That(second.ClaimsIdentity, Is.Not.SameAs(third.ClaimsIdentity));
            Assert.That(second.ClaimsIdentity.FindFirst("sub")?.Value, Is.EqualTo("orders-db"));
        });
    }

    [Test]
    public async Task A_remembered_validation_is_redone_after_the_cache_duration()
    {
        var handler = new CachingJsonWebTokenHandler(_time, TimeSpan.FromMinutes(1), 100);
        var token = Token(TimeSpan.FromMinutes(10));
        await handler.ValidateTokenAsync(token, Parameters());

        _time.Advance(TimeSpan.FromSeconds(61));
        var again = await handler.ValidateTokenAsync(token, Parameters());

        Assert.That(again.IsValid, Is.True);
        Assert.That(_keyLookups, Is.EqualTo(2));
    }

    [Test]
    public async Task A_remembered_validation_never_outlives_the_tokens_expiry()
    {
        var handler = new CachingJsonWebTokenHandler(_time, TimeSpan.FromMinutes(10), 100);
        var token = Token(TimeSpan.FromSeconds(90));
        await handler.ValidateTokenAsync(token, Parameters());

        _time.Advance(TimeSpan.FromSeconds(95));
        await handler.ValidateTokenAsync(token, Parameters());

        Assert.That(_keyLookups, Is.EqualTo(2), "past exp the token is validated in full (and the real clock decides)");
    }

    [Test]
    public async Task Failed_validations_are_never_remembered_and_a_forged_twin_of_a_cached_token_is_refused()
    {
        var handler = new CachingJsonWebTokenHandler(_time, TimeSpan.FromMinutes(1), 100);
        var token = Token(TimeSpan.FromMinutes(10));
        Assert.That((await handler.ValidateTokenAsync(token, Parameters())).IsValid, Is.True);

        // Same header and claims, another signature: a different string, validated in full and refused, every time.
        var signature = token[(token.LastIndexOf('.') + 1)..];
        var forged = token[..(token.LastIndexOf('.') + 1)] + Base64UrlEncoder.Encode(new byte[Base64UrlEncoder.DecodeBytes(signature).Length]);
        var tampered = token[..(token.IndexOf('.') + 1)] + Base64UrlEncoder.Encode("{\"iss\":\"" + Issuer + "\",\"sub\":\"billing-db\"}") + token[token.LastIndexOf('.')..];
        var results = new[]
        {
            await handler.ValidateTokenAsync(forged, Parameters()),
            await handler.ValidateTokenAsync(forged, Parameters()),
            await handler.ValidateTokenAsync(tampered, Parameters()),
            await handler.ValidateTokenAsync(tampered, Parameters()),
        };

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.IsValid), Is.All.False);
            Assert.That(_keyLookups, Is.EqualTo(5), "the valid token once, then each refused attempt in full");
        });
    }

    [Test]
    public async Task The_cache_holds_at_most_its_capacity()
    {
        var handler = new CachingJsonWebTokenHandler(_time, TimeSpan.FromMinutes(1), 2);
        var tokens = Enumerable.Range(0, 3).Select(_ => Token(TimeSpan.FromMinutes(10))).ToArray();
        foreach (var token in tokens)
        {
            await handler.ValidateTokenAsync(token, Parameters());
        }

        // The third did not fit (or pushed one out); revalidating all three needs at least one more verification.
        foreach (var token in tokens)
        {
            await handler.ValidateTokenAsync(token, Parameters());
        }

        Assert.That(_keyLookups, Is.GreaterThan(3));
    }

    [TestCase(-1)]
    [TestCase(601)]
    public void A_cache_duration_outside_zero_to_ten_minutes_is_refused_at_start(int seconds)
    {
        Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await TestServerHost.StartAsync(o => o.AgentTokens.ValidationCacheDuration = TimeSpan.FromSeconds(seconds));
        });
    }

    [Test]
    public async Task With_the_cache_off_tokens_are_still_validated()
    {
        await using var host = await TestServerHost.StartAsync(o => o.AgentTokens.ValidationCacheDuration = TimeSpan.Zero);
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/engines/config/" + TestServerHost.InstanceA, host.AgentToken(TestServerHost.InstanceA, "orchestration")));
        using var denied = await host.Client.SendAsync(host.Request(HttpMethod.Get, "/engines/config/" + TestServerHost.InstanceB, host.AgentToken(TestServerHost.InstanceA, "orchestration")));
        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            Assert.That((int)denied.StatusCode, Is.EqualTo(403));
        });
    }

    [Test]
    public void A_stored_entity_tag_gives_200_with_the_tag_or_304_when_it_matches()
    {
        var document = TestOrchestrationController.Document(TestServerHost.InstanceA);
        var tag = CanonicalEntityTag.Compute(document);

        var fresh = Controller(ifNoneMatch: null);
        var ok = fresh.OkWithEntityTag<Databacker.Api.Contracts.ConfigDocument>(document, tag);
        var current = Controller(ifNoneMatch: tag);
        var notModified = current.OkWithEntityTag<Databacker.Api.Contracts.ConfigDocument>(document, tag);

        Assert.Multiple(() =>
        {
            Assert.That(ok.Result, Is.InstanceOf<OkObjectResult>());
            Assert.That(fresh.Response.Headers.ETag.ToString(), Is.EqualTo(tag));
            Assert.That((notModified.Result as StatusCodeResult)?.StatusCode, Is.EqualTo(304));
            Assert.That(current.Response.Headers.ETag.ToString(), Is.EqualTo(tag));
            Assert.Throws<ArgumentException>(() => fresh.OkWithEntityTag<Databacker.Api.Contracts.ConfigDocument>(document, "unquoted"));
        });
    }

    private static TestOrchestrationController Controller(string? ifNoneMatch)
    {
        var context = new DefaultHttpContext();
        if (ifNoneMatch is not null)
        {
            context.Request.Headers.IfNoneMatch = ifNoneMatch;
        }

        return new TestOrchestrationController { ControllerContext = new ControllerContext { HttpContext = context } };
    }
}
