namespace Databacker.Api.Governance.Tests;

/// <summary>The command CI runs, and the contract against the released baseline kept in the repository.</summary>
public class GovernanceCommandTests
{
    [Test]
    public void The_contract_keeps_every_promise_of_the_released_baseline()
    {
        var report = SpecCompatibilityChecker.Compare(
            File.ReadAllText(RepositoryRoot.Combine("build", "api-baseline", "openapi.yaml")),
            File.ReadAllText(RepositoryRoot.Combine("openapi.yaml")));

        Assert.That(report.BreakingChanges.Select(c => c.ToString()), Is.Empty,
            "openapi.yaml breaks the released contract: make the change under a new media type version");
    }

    [Test]
    public void A_breaking_spec_exits_1_and_names_media_type_and_field()
    {
        var scratch = Directory.CreateTempSubdirectory("databacker-governance-").FullName;
        try
        {
            var edited = Path.Combine(scratch, "openapi.yaml");
            File.WriteAllText(edited, SpecEdit.Apply(spec => spec.Schema("Instance").At("properties").Remove("name")));
            using var output = new StringWriter();
            using var error = new StringWriter();

            var exit = GovernanceCommand.Run(["--baseline", RepositoryRoot.Combine("openapi.yaml"), "--spec", edited], output, error);

            Assert.That(exit, Is.EqualTo(1), error.ToString());
            Assert.That(output.ToString(), Does.Contain("BREAKING application/vnd.databack.instance.v1+json (GET /instances/{instance} response 200): $.name removed"));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Test]
    public void A_compatible_spec_exits_0()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = GovernanceCommand.Run(["--baseline", RepositoryRoot.Combine("openapi.yaml"), "--spec", RepositoryRoot.Combine("openapi.yaml")], output, error);

        Assert.That(exit, Is.Zero, output + error.ToString());
        Assert.That(output.ToString(), Does.Contain("is compatible with"));
    }

    [Test]
    public void A_missing_file_or_unknown_argument_exits_2()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Multiple(() =>
        {
            Assert.That(GovernanceCommand.Run(["--spec", Path.Combine(Path.GetTempPath(), "no-such-spec.yaml")], output, error), Is.EqualTo(2));
            Assert.That(GovernanceCommand.Run(["--frobnicate"], output, error), Is.EqualTo(2));
        });
    }
}
