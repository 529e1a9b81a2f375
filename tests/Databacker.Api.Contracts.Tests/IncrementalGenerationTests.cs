using System.Diagnostics;

namespace Databacker.Api.Contracts.Tests;

/// <summary>
/// Runs the real generation target of the contracts project against a copy of the spec in a scratch folder,
/// the way a developer's or CI's build does.
/// </summary>
[NonParallelizable]
public class IncrementalGenerationTests
{
    private string _scratch = null!;
    private string _spec = null!;
    private string _output = null!;

    [SetUp]
    public void SetUp()
    {
        _scratch = Directory.CreateTempSubdirectory("databacker-codegen-").FullName;
        _spec = Path.Combine(_scratch, "openapi.yaml");
        File.Copy(RepositoryRoot.Combine("openapi.yaml"), _spec);
        _output = Path.Combine(_scratch, "Generated") + Path.DirectorySeparatorChar;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void Generation_runs_once_then_skips_until_the_spec_changes()
    {
        var generated = Path.Combine(_output, "Contracts.g.cs");

        var first = Generate();
        Assert.That(first, Does.Contain("generated Contracts.g.cs"), "first run must generate");
        Assert.That(File.Exists(generated), Is.True);
        var firstWrite = File.GetLastWriteTimeUtc(generated);

        var second = Generate();
        Assert.That(second, Does.Contain("Skipping target \"DatabackerGenerateCode\""), "an unchanged spec must not regenerate");
        Assert.That(File.GetLastWriteTimeUtc(generated), Is.EqualTo(firstWrite));

        // A new schema in the spec must appear in the generated code on the next build.
        var yaml = File.ReadAllText(_spec);
        const string anchor = "  schemas:\n";
        Assert.That(yaml, Does.Contain(anchor));
        yaml = yaml.Replace(anchor, anchor + "    IncrementalProbe:\n      type: object\n      description: Added by a test.\n      properties:\n        probe:\n          type: string\n          description: Probe.\n", StringComparison.Ordinal);
        File.WriteAllText(_spec, yaml);
        File.SetLastWriteTimeUtc(_spec, DateTime.UtcNow.AddSeconds(2));

        var third = Generate();
        Assert.That(third, Does.Contain("generated Contracts.g.cs"), "a changed spec must regenerate");
        Assert.That(File.ReadAllText(generated), Does.Contain("class IncrementalProbe"));
    }

    private string Generate()
    {
        var project = RepositoryRoot.Combine("Databacker.Api.Contracts", "Databacker.Api.Contracts.csproj");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "msbuild", project, "-t:DatabackerGenerateCode", "-v:n", "-nologo", "-nodeReuse:false",
                     $"-p:DatabackerOpenApiSpec={_spec}", $"-p:DatabackerGeneratedDirectory={_output}",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(3)), Is.True, "msbuild timed out");
        var output = stdout.Result + stderr.Result;
        Assert.That(process.ExitCode, Is.Zero, output);
        return output;
    }
}
