using System.Security.Cryptography;
using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Server.Authentication;
using Databacker.Api.Server.Errors;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Databacker.Api.Server.Tests;

/// <summary>Hand-built agent tokens signed with the controller's own key: only well-formed RFC 9068 tokens pass.</summary>
public sealed class AgentTokenValidationTests
{
    private const string ConfigA = "/engines/config/" + TestServerHost.InstanceA;

    private static async Task<(TestServerHost Host, SigningCredentials Credentials)> StartAsync()
    {
        var key = EcdsaKey.Generate();
        var ring = new SigningKeyRing();
        ring.Add(key);
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(key.ExportPkcs8PrivateKeyPem());
        var host = await TestServerHost.StartAsync(services: services => services.AddSingleton(ring));
        return (host, new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = key.KeyId }, SecurityAlgorithms.EcdsaSha256));
    }

    private static string Token(SigningCredentials credentials, string type = "at+jwt", TimeSpan? expiresIn = null, string issuer = TestServerHost.Issuer) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = TestServerHost.Issuer + "/orchestration",
            IssuedAt = DateTime.UtcNow.AddMinutes(-5),
            Expires = DateTime.UtcNow + (expiresIn ?? TimeSpan.FromMinutes(5)),
            TokenType = type,
            Claims = new Dictionary<string, object> { ["sub"] = TestServerHost.InstanceA, ["client_id"] = TestServerHost.InstanceA, ["scope"] = "orchestration" },
            SigningCredentials = credentials,
        });

    [Test]
    public async Task A_well_formed_hand_built_token_is_accepted()
    {
        var (host, credentials) = await StartAsync();
        await using var _ = host;
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, Token(credentials)));
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
    }

    [TestCase("JWT")]
    [TestCase("client-authentication+jwt")]
    public async Task A_token_whose_typ_is_not_at_jwt_is_a_401_problem(string type)
    {
        var (host, credentials) = await StartAsync();
        await using var _ = host;
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, Token(credentials, type)));
        await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
    }

    [Test]
    public async Task A_token_of_another_issuer_is_a_401_problem()
    {
        var (host, credentials) = await StartAsync();
        await using var _ = host;
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, Token(credentials, issuer: "https://other.test")));
        await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
    }

    [Test]
    public async Task A_token_expired_beyond_the_30_second_skew_is_a_401_problem()
    {
        var (host, credentials) = await StartAsync();
        await using var _ = host;
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, Token(credentials, expiresIn: TimeSpan.FromSeconds(-45))));
        await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
    }

    [Test]
    public async Task A_token_expired_within_the_30_second_skew_is_still_accepted()
    {
        var (host, credentials) = await StartAsync();
        await using var _ = host;
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, Token(credentials, expiresIn: TimeSpan.FromSeconds(-10))));
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task A_token_signed_with_a_P384_key_outside_the_ring_is_a_401_problem()
    {
        var key = EcdsaKey.Generate(EcdsaCurve.P384);
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(key.ExportPkcs8PrivateKeyPem());
        var (host, _) = await StartAsync();
        await using var __ = host;
        var token = Token(new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = key.KeyId }, SecurityAlgorithms.EcdsaSha384));
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, token));
        await Problems.AssertProblemAsync(response, 401, DatabackerProblemTypes.Unauthorized);
    }

    [Test]
    public async Task A_verifier_reading_the_issuers_key_set_refreshes_it_within_the_key_rings_publication_lead()
    {
        using var key = EcdsaKey.Generate();
        await using var host = await TestServerHost.StartAsync(o =>
        {
            o.AgentTokens.JwksUri = new Uri("http://127.0.0.1/.well-known/jwks.json");
            o.AgentTokens.JwksBackchannelHandler = new KeySetHandler("{\"keys\":[" + key.ToPublicJwk().ToJson() + "]}");
        });

        var jwt = host.App.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(DatabackerAuthenticationSchemes.Agent);
        var manager = (Microsoft.IdentityModel.Protocols.ConfigurationManager<Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration>)jwt.ConfigurationManager!;

        Assert.Multiple(() =>
        {
            Assert.That(manager.AutomaticRefreshInterval, Is.LessThan(new Databacker.Api.Auth.Issuance.SigningKeyRingOptions().PublicationLead), "a new key is known before it signs");
            Assert.That(manager.RefreshInterval, Is.LessThanOrEqualTo(TimeSpan.FromMinutes(1)));
        });
    }

    [Test]
    public async Task An_ES384_token_signed_by_a_P384_key_of_the_trusted_key_set_is_a_401_by_algorithm_pinning_alone()
    {
        // The key set the endpoint trusts holds a P-256 and a P-384 key; both tokens carry the same valid claims and a
        // valid signature by a trusted key. Only the algorithm differs: agent tokens are pinned to ES256.
        using var p256 = EcdsaKey.Generate();
        using var p384 = EcdsaKey.Generate(EcdsaCurve.P384);
        var keySet = "{\"keys\":[" + p256.ToPublicJwk().ToJson() + "," + p384.ToPublicJwk().ToJson() + "]}";
        await using var host = await TestServerHost.StartAsync(o =>
        {
            o.AgentTokens.JwksUri = new Uri("http://127.0.0.1/.well-known/jwks.json");
            o.AgentTokens.JwksBackchannelHandler = new KeySetHandler(keySet);
        });
        var es256 = Token(Credentials(p256, SecurityAlgorithms.EcdsaSha256));
        var es384 = Token(Credentials(p384, SecurityAlgorithms.EcdsaSha384));

        using var accepted = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, es256));
        using var refused = await host.Client.SendAsync(host.Request(HttpMethod.Get, ConfigA, es384));

        Assert.That(accepted.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), await accepted.Content.ReadAsStringAsync());
        await Problems.AssertProblemAsync(refused, 401, DatabackerProblemTypes.Unauthorized);

        // The refused token is otherwise valid: with the endpoint's own validation parameters and only the algorithm
        // list widened it validates; with the pinned list it does not, so the list is the only reason.
        var jwt = host.App.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(DatabackerAuthenticationSchemes.Agent);
        var parameters = jwt.TokenValidationParameters.Clone();
        parameters.IssuerSigningKeyResolver = null;
        parameters.IssuerSigningKey = new JsonWebKey(p384.ToPublicJwk().ToJson());
        var handler = new JsonWebTokenHandler();
        var pinned = await handler.ValidateTokenAsync(es384, parameters);
        parameters.ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384];
        var widened = await handler.ValidateTokenAsync(es384, parameters);
        Assert.Multiple(() =>
        {
            Assert.That(widened.IsValid, Is.True, widened.Exception?.Message);
            // IdentityModel checks the algorithm per candidate key and reports it as a failed signature (IDX10511).
            Assert.That(pinned.IsValid, Is.False, "the same parameters with only ES256 allowed");
        });
    }

    private static SigningCredentials Credentials(EcdsaKey key, string algorithm)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(key.ExportPkcs8PrivateKeyPem());
        return new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = key.KeyId }, algorithm);
    }

    /// <summary>Serves one JWK Set document, as another endpoint's jwks_uri would.</summary>
    private sealed class KeySetHandler(string keySet) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK)
            {
                Content = new StringContent(keySet, System.Text.Encoding.UTF8, "application/json"),
            });
    }
}
