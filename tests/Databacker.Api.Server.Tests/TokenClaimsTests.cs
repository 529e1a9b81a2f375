using System.Security.Claims;
using Databacker.Api.Server.Authorization;

namespace Databacker.Api.Server.Tests;

/// <summary>Scopes and audiences are matched whole and exactly, never as prefixes, substrings or case variants.</summary>
public sealed class TokenClaimsTests
{
    private static ClaimsPrincipal User(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "test"));

    [TestCase("orchestration", true)]
    [TestCase("reporting orchestration", true)]
    [TestCase("  orchestration  reporting ", true)]
    [TestCase("orchestrationx", false)]
    [TestCase("xorchestration", false)]
    [TestCase("orchestration-admin reporting", false)]
    [TestCase("Orchestration", false)]
    [TestCase("orchestration\treporting", false)]
    [TestCase("", false)]
    public void A_scope_claim_lists_the_scope_only_as_a_whole_space_separated_word(string value, bool expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(TokenClaims.HasScope(User(("scope", value)), "orchestration"), Is.EqualTo(expected));
            Assert.That(TokenClaims.HasScope(User(("scp", value)), "orchestration"), Is.EqualTo(expected));
        });
    }

    [Test]
    public void Scopes_are_read_from_every_scope_and_scp_claim_and_from_no_other()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TokenClaims.HasScope(User(("scp", "reporting"), ("scp", "orchestration")), "orchestration"), Is.True);
            Assert.That(TokenClaims.HasScope(User(("scopes", "orchestration"), ("aud", "orchestration")), "orchestration"), Is.False);
            Assert.That(TokenClaims.HasScope(User(("scope", "orchestration")), ""), Is.False, "an empty scope is never granted");
        });
    }

    [Test]
    public void An_audience_must_equal_one_aud_claim_exactly()
    {
        var user = User(("aud", "https://c.test/reporting"), ("aud", "https://c.test/orchestration"), ("sub", "https://c.test/x"));
        Assert.Multiple(() =>
        {
            Assert.That(TokenClaims.HasClaimValue(user, "aud", "https://c.test/orchestration"), Is.True);
            Assert.That(TokenClaims.HasClaimValue(user, "aud", "https://c.test/orchestration/"), Is.False);
            Assert.That(TokenClaims.HasClaimValue(user, "aud", "https://C.test/orchestration"), Is.False);
            Assert.That(TokenClaims.HasClaimValue(user, "aud", "https://c.test/x"), Is.False, "another claim's value is not an audience");
        });
    }
}
