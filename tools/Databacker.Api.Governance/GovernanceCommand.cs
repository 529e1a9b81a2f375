namespace Databacker.Api.Governance;

/// <summary>
/// <c>dotnet run --project tools/Databacker.Api.Governance -- [--baseline FILE] [--spec FILE]</c>: exit code 0 when
/// the spec keeps every promise of the baseline, 1 when it breaks one (each listed), 2 on bad usage or input.
/// </summary>
internal static class GovernanceCommand
{
    public const string DefaultBaseline = "build/api-baseline/openapi.yaml";
    public const string DefaultSpec = "openapi.yaml";

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var baseline = DefaultBaseline;
        var spec = DefaultSpec;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--baseline" when i + 1 < args.Length:
                    baseline = args[++i];
                    break;
                case "--spec" when i + 1 < args.Length:
                    spec = args[++i];
                    break;
                default:
                    error.WriteLine($"Unknown argument '{args[i]}'. Usage: [--baseline {DefaultBaseline}] [--spec {DefaultSpec}]");
                    return 2;
            }
        }

        CompatibilityReport report;
        try
        {
            report = SpecCompatibilityChecker.Compare(File.ReadAllText(baseline), File.ReadAllText(spec));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or YamlDotNet.Core.YamlException)
        {
            error.WriteLine($"spec governance: cannot compare {spec} with {baseline}: {e.Message}");
            return 2;
        }

        foreach (var change in report.BreakingChanges)
        {
            output.WriteLine($"BREAKING {change}");
        }

        output.WriteLine(report.IsCompatible
            ? $"spec governance: {spec} is compatible with {baseline} ({report.OperationsCompared} operations, {report.MediaTypesCompared} media types compared)"
            : $"spec governance: {report.BreakingChanges.Count} breaking change(s) in {spec} against {baseline}. Make the change under a new media type version (….v2+json next to an untouched ….v1+json) or a new operation.");
        return report.IsCompatible ? 0 : 1;
    }
}
