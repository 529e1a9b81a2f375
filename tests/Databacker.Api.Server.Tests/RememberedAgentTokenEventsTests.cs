using System.Security.Cryptography;
using Databacker.Api.Server.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Databacker.Api.Server.Tests;

/// <summary>
/// A remembered agent token is answered when the message is received; only the exact string a full validation
/// accepted, read from the header exactly as JwtBearer reads it, and only while it is remembered.
/// </summary>
public sealed class RememberedAgentTokenEventsTests
{
    private const string Issuer = "https://controller.test";
    private readonly ECDsaSecurityKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "k1" };
    private FakeTimeProvider _time = null!;
    private CachingJsonWebTokenHandler _handler = null!;
    private RememberedAgentTokenEvents _events = null!;
    private DateTime _expires;
    private string _token = null!;

    [SetUp]
    public async Task SetUp()
    {
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _handler = new CachingJsonWebTokenHandler(_time, TimeSpan.FromMinutes(1), 100);
        _events = new RememberedAgentTokenEvents(_handler);
        _expires = DateTime.UtcNow.AddMinutes(10);
        _token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Issuer + "/orchestration",
            Expires = _expires,
            Claims = new Dictionary<string, object> { ["sub"] = "orders-db", ["scope"] = "orchestration" },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256),
        });
        var validated = await _handler.ValidateTokenAsync(_token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Issuer + "/orchestration",
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            IssuerSigningKey = _key,
        });
        Assert.That(validated.IsValid, Is.True, validated.Exception?.Message);
    }

    private async Task<MessageReceivedContext> ReceiveAsync(params string[] authorization)
    {
        var http = new DefaultHttpContext();
        if (authorization.Length > 0)
        {
            http.Request.Headers.Authorization = authorization;
        }

        var context = new MessageReceivedContext(http, new AuthenticationScheme("DatabackerAgent", null, typeof(JwtBearerHandler)), new JwtBearerOptions());
        await _events.MessageReceived(context);
        return context;
    }

    [Test]
    public async Task A_remembered_token_succeeds_with_its_own_identity_and_the_tokens_lifetime()
    {
        var first = await ReceiveAsync("Bearer " + _token);
        var second = await ReceiveAsync("bearer   " + _token + " ");

        Assert.Multiple(() =>
        {
            Assert.That(first.Result?.Succeeded, Is.True);
            Assert.That(second.Result?.Succeeded, Is.True, "the scheme is matched ignoring case and the token trimmed, as JwtBearer does");
            Assert.That(first.Result!.Principal!.FindFirst("sub")?.Value, Is.EqualTo("orders-db"));
            Assert.That(first.Result.Ticket!.AuthenticationScheme, Is.EqualTo("DatabackerAgent"));
            Assert.That(first.Result.Principal.Identity, Is.Not.SameAs(second.Result!.Principal!.Identity));
            Assert.That(first.Result.Properties!.ExpiresUtc, Is.EqualTo(new DateTimeOffset(_expires)).Within(TimeSpan.FromSeconds(1)));
        });
    }

    [Test]
    public async Task Anything_but_the_exact_remembered_token_in_one_bearer_header_is_left_to_full_validation()
    {
        var signature = _token[(_token.LastIndexOf('.') + 1)..];
        var forged = _token[..(_token.LastIndexOf('.') + 1)] + Base64UrlEncoder.Encode(new byte[Base64UrlEncoder.DecodeBytes(signature).Length]);
        var contexts = new[]
        {
            await ReceiveAsync(),
            await ReceiveAsync(_token),
            await ReceiveAsync("Basic " + _token),
            await ReceiveAsync("Bearer " + _token + "x"),
            await ReceiveAsync("Bearer " + _token[..^1]),
            await ReceiveAsync("Bearer " + forged),
            await ReceiveAsync("Bearer " + _token, "Bearer " + _token),
            await ReceiveAsync("Bearer "),
        };

        Assert.That(contexts.Select(c => c.Result), Is.All.Null);
    }

    [Test]
    public async Task A_token_is_no_longer_answered_from_memory_after_the_cache_duration()
    {
        _time.Advance(TimeSpan.FromSeconds(61));

        var context = await ReceiveAsync("Bearer " + _token);

        Assert.That(context.Result, Is.Null);
    }

    [Test]
    public async Task A_token_set_by_an_earlier_event_is_not_replaced_by_the_header()
    {
        _events.OnMessageReceived = context =>
        {
            context.Token = "another-token";
            return Task.CompletedTask;
        };

        var context = await ReceiveAsync("Bearer " + _token);

        Assert.Multiple(() =>
        {
            Assert.That(context.Result, Is.Null);
            Assert.That(context.Token, Is.EqualTo("another-token"));
        });
    }

    [Test]
    public async Task An_implementers_token_validated_hook_sees_every_request_so_nothing_is_answered_from_memory()
    {
        var calls = 0;
        _events.OnTokenValidated = _ =>
        {
            calls++;
            return Task.CompletedTask;
        };

        var context = await ReceiveAsync("Bearer " + _token);

        Assert.Multiple(() =>
        {
            Assert.That(context.Result, Is.Null, "a hit would skip the implementer's hook");
            Assert.That(calls, Is.Zero);
        });
    }
}
