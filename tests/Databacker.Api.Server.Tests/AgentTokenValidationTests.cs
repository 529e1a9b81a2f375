using System.Security.Cryptography;
using Databacker.Api.Auth.Issuance;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Server.Errors;
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
}
