using Databacker.Api.Benchmarks.TokenEconomy;

namespace Databacker.Api.Benchmarks.Tests;

/// <summary>The token-economy measurement as a test: counts, never times.</summary>
[TestFixture]
public sealed class TokenEconomyTests
{
    [Test]
    public async Task Sixty_four_concurrent_callers_over_five_lifetimes_cause_exactly_one_token_request_and_one_signature_per_lifetime()
    {
        var settings = new TokenEconomySettings { Callers = 64, Lifetimes = 5 };

        var result = await TokenEconomyRun.RunAsync(settings);

        Assert.Multiple(() =>
        {
            Assert.That(result.ApiCalls, Is.EqualTo(64 * 5 * settings.Checkpoints.Count * settings.CallsPerCheckpoint));
            Assert.That(result.ConfigRequests, Is.EqualTo(result.ApiCalls), "every call reached the server once");
            Assert.That(result.TokenRequests, Is.EqualTo(5), "one token request per lifetime");
            Assert.That(result.TokensSeenPerLifetime, Is.EqualTo(new[] { 1, 1, 1, 1, 1 }), "one token used for the whole of each lifetime");
            Assert.That(result.AssertionsSigned, Is.EqualTo(5), "one assertion per token request");
            Assert.That(result.AssertionsOutsideTokenRequests, Is.Zero, "no API call signs anything itself");
            Assert.That(result.IsExact, Is.True, result.ToReport());
        });
    }

    [Test]
    public void The_report_is_not_exact_when_a_lifetime_needed_two_token_requests()
    {
        var settings = new TokenEconomySettings { Lifetimes = 2 };

        var result = new TokenEconomyResult(settings, ApiCalls: 10, ConfigRequests: 10, TokenRequests: 3, AssertionsSigned: 3, TokensSeenPerLifetime: [1, 2]);

        Assert.Multiple(() =>
        {
            Assert.That(result.IsExact, Is.False);
            Assert.That(result.ToReport(), Does.Contain("NOT exact"));
        });
    }
}
