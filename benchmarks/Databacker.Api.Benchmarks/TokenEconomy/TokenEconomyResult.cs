using System.Globalization;
using System.Text;

namespace Databacker.Api.Benchmarks.TokenEconomy;

/// <summary>What a token-economy run counted.</summary>
/// <param name="Settings">The run's shape.</param>
/// <param name="ApiCalls">Calls made by the callers, all answered 200.</param>
/// <param name="ConfigRequests">Configuration requests the server answered.</param>
/// <param name="TokenRequests">Token requests the server answered.</param>
/// <param name="AssertionsSigned">Client assertions the SDK signed.</param>
/// <param name="TokensSeenPerLifetime">Distinct bearer tokens the server saw in each lifetime.</param>
public sealed record TokenEconomyResult(
    TokenEconomySettings Settings, int ApiCalls, int ConfigRequests, int TokenRequests, int AssertionsSigned, IReadOnlyList<int> TokensSeenPerLifetime)
{
    /// <summary>Assertions signed beyond one per token request: signatures an API call caused by itself.</summary>
    public int AssertionsOutsideTokenRequests => AssertionsSigned - TokenRequests;

    /// <summary>True when there was exactly one token request per lifetime and no signing outside them.</summary>
    public bool IsExact => TokenRequests == Settings.Lifetimes && AssertionsOutsideTokenRequests == 0 && ConfigRequests == ApiCalls
        && TokensSeenPerLifetime.All(n => n == 1);

    /// <summary>A small Markdown table.</summary>
    public string ToReport()
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(c, $"Token economy: {Settings.Callers} concurrent callers, {Settings.Lifetimes} token lifetimes of {Settings.TokenLifetimeSeconds} s (fake time), {Settings.Checkpoints.Count} checkpoints × {Settings.CallsPerCheckpoint} calls per caller per lifetime");
        s.AppendLine();
        s.AppendLine("| Measure | Value | Expected |");
        s.AppendLine("|---|---:|---:|");
        s.AppendLine(c, $"| API calls (all 200) | {ApiCalls} | {Settings.Callers * Settings.Lifetimes * Settings.Checkpoints.Count * Settings.CallsPerCheckpoint} |");
        s.AppendLine(c, $"| Token requests | {TokenRequests} | {Settings.Lifetimes} (one per lifetime) |");
        s.AppendLine(c, $"| Token requests per lifetime | {(double)TokenRequests / Settings.Lifetimes:0.###} | 1 |");
        s.AppendLine(c, $"| Distinct tokens seen per lifetime | {string.Join(", ", TokensSeenPerLifetime)} | 1 each |");
        s.AppendLine(c, $"| Assertions signed | {AssertionsSigned} | {Settings.Lifetimes} (one per token request) |");
        s.AppendLine(c, $"| Assertions signed by API calls themselves | {AssertionsOutsideTokenRequests} | 0 |");
        s.AppendLine(c, $"| Assertion signings per API call | {(double)AssertionsSigned / Math.Max(1, ApiCalls):0.#####} | {(double)Settings.Lifetimes / Math.Max(1, ApiCalls):0.#####} (token requests only) |");
        s.AppendLine();
        s.AppendLine(IsExact ? "Result: exact." : "Result: NOT exact.");
        return s.ToString();
    }
}
