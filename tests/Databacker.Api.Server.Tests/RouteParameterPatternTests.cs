using System.Text.RegularExpressions;
using Databacker.Api.Server.Routing;

namespace Databacker.Api.Server.Tests;

/// <summary>The allocation-free checks of instance ids and key ids agree with the contract's patterns on hostile input.</summary>
public sealed class RouteParameterPatternTests
{
    // The patterns of InstanceId and KeyId in openapi.yaml, anchored at the very end (no trailing newline allowed).
    private static readonly Regex InstanceId = new("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\\z", RegexOptions.CultureInvariant);
    private static readonly Regex KeyId = new("^[A-Za-z0-9._~-]{1,128}\\z", RegexOptions.CultureInvariant);

    private static IEnumerable<string> Inputs()
    {
        string[] fixedInputs =
        [
            "", "a", "A", "0", "orders-db", "orders.db_1", ".hidden", "-x", "_x", "~x", "x~", "a b", "a/b", "a\\b", "a\n", "\na",
            "a\0", "a\r\n", "a%2Fb", "..", ".", "~", "١٢٣", "ａｂｃ", "İstanbul", "ﬀ", "a\u200b", "é", "a\u0301", "😀", "a\t",
            "K", "k", "\u212A", "x=", "abc+def", "abc:def",
        ];
        foreach (var input in fixedInputs)
        {
            yield return input;
        }

        foreach (var length in new[] { 63, 64, 65, 127, 128, 129, 10_000 })
        {
            yield return new string('a', length);
            yield return "." + new string('a', length - 1);
            yield return new string('a', length - 1) + "\n";
        }
    }

    [TestCaseSource(nameof(Inputs))]
    public void Instance_ids_are_checked_exactly_as_the_contract_s_pattern(string input) =>
        Assert.That(RouteParameterValidationMiddleware.IsInstanceId(input), Is.EqualTo(InstanceId.IsMatch(input)));

    [TestCaseSource(nameof(Inputs))]
    public void Key_ids_are_checked_exactly_as_the_contract_s_pattern(string input) =>
        Assert.That(RouteParameterValidationMiddleware.IsKeyId(input), Is.EqualTo(KeyId.IsMatch(input)));
}
