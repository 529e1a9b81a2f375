using System.Diagnostics;

namespace Databacker.Api.Contracts.Tests;

/// <summary>
/// The public surface of every package, generated code included, is declared in committed baseline files, and a
/// build whose surface differs from them fails.
/// </summary>
[NonParallelizable]
public class PublicApiBaselineTests
{
    private static readonly string[] Libraries =
        ["Databacker.Api.Contracts", "Databacker.Api.Client", "Databacker.Api.Server.Abstractions", "Databacker.Api.Auth"];

    [TestCaseSource(nameof(Libraries))]
    public void Each_library_declares_its_public_api_with_nullable_annotations(string library)
    {
        foreach (var file in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" })
        {
            var lines = File.ReadAllLines(RepositoryRoot.Combine(library, file));
            Assert.That(lines, Is.Not.Empty, file);
            Assert.That(lines[0], Is.EqualTo("#nullable enable"), $"{library}/{file} must track nullability");
        }

        var declared = File.ReadAllLines(RepositoryRoot.Combine(library, "PublicAPI.Shipped.txt"))
            .Concat(File.ReadAllLines(RepositoryRoot.Combine(library, "PublicAPI.Unshipped.txt")));
        Assert.That(declared.Count(l => !l.StartsWith('#')), Is.GreaterThan(50), "the baseline holds the library's surface");
    }

    [Test]
    public void Generated_types_are_part_of_the_declared_surface()
    {
        var contracts = File.ReadAllText(RepositoryRoot.Combine("Databacker.Api.Contracts", "PublicAPI.Shipped.txt"));
        var server = File.ReadAllText(RepositoryRoot.Combine("Databacker.Api.Server.Abstractions", "PublicAPI.Shipped.txt"));
        var client = File.ReadAllText(RepositoryRoot.Combine("Databacker.Api.Client", "PublicAPI.Shipped.txt"));

        Assert.Multiple(() =>
        {
            Assert.That(contracts, Does.Contain("Databacker.Api.Contracts.Instance.Name.get -> string!"));
            Assert.That(server, Does.Contain("abstract Databacker.Api.Server.OrchestrationControllerBase.GetConfig("));
            Assert.That(client, Does.Contain("Databacker.Api.Client.IOrchestrationClient.GetConfigAsync("));
        });
    }

    [Test]
    public void A_spec_change_that_adds_generated_public_api_fails_the_build_until_the_baseline_declares_it()
    {
        var scratch = Directory.CreateTempSubdirectory("databacker-publicapi-").FullName;
        try
        {
            var spec = Path.Combine(scratch, "openapi.yaml");
            const string anchor = "  schemas:\n";
            var yaml = File.ReadAllText(RepositoryRoot.Combine("openapi.yaml"));
            Assert.That(yaml, Does.Contain(anchor));
            File.WriteAllText(spec, yaml.Replace(anchor, anchor + "    PublicApiProbe:\n      type: object\n      description: Added by a test.\n      properties:\n        probe:\n          type: string\n          description: Probe.\n", StringComparison.Ordinal));

            // The real project, built against the edited spec into scratch folders (the repository's build is untouched).
            var (exit, output) = Build(scratch, spec);

            Assert.That(exit, Is.Not.Zero, "an undeclared public type must fail the build");
            Assert.That(output, Does.Contain("error RS0016: Symbol 'Databacker.Api.Contracts.PublicApiProbe' is not part of the declared public API"));
            Assert.That(output, Does.Contain("error RS0016: Symbol 'Databacker.Api.Contracts.PublicApiProbe.Probe.get -> string?'"));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static (int Exit, string Output) Build(string scratch, string spec)
    {
        var project = RepositoryRoot.Combine("Databacker.Api.Contracts", "Databacker.Api.Contracts.csproj");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "build", project, "--no-restore", "-nologo", "-nodeReuse:false", "-clp:NoSummary",
                     $"-p:DatabackerOpenApiSpec={spec}",
                     $"-p:DatabackerGeneratedDirectory={Path.Combine(scratch, "Generated")}{Path.DirectorySeparatorChar}",
                     $"-p:IntermediateOutputPath={Path.Combine(scratch, "obj")}{Path.DirectorySeparatorChar}",
                     $"-p:OutputPath={Path.Combine(scratch, "bin")}{Path.DirectorySeparatorChar}",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(4)), Is.True, "dotnet build timed out");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
