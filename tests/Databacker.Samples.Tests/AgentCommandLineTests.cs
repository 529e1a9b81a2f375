namespace Databacker.Samples.Tests;

public sealed class AgentCommandLineTests : EndToEndTest
{
    [Test, CancelAfter(30_000)]
    public async Task Every_command_has_help()
    {
        foreach (var command in new[] { "keygen", "register", "run", "serve" })
        {
            var (exitCode, process) = await RunAgentAsync(command, "--help");
            Assert.That(exitCode, Is.Zero, process.AllOutput);
            Assert.That(process.StandardOutput, Does.Contain("Usage:").And.Contain(command));
        }
    }

    [Test, CancelAfter(30_000)]
    public async Task A_missing_required_option_exits_2_with_a_one_line_message()
    {
        var (exitCode, process) = await RunAgentAsync("run", "--controller", "http://127.0.0.1:9", "--instance", "x");

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(process.Output, Has.Some.EqualTo("[stderr] error: Option '--key' is required."));
    }

    [Test, CancelAfter(30_000)]
    public async Task Keygen_writes_a_PKCS8_key_and_prints_a_public_JWK_without_the_private_part()
    {
        var keyFile = Path.Combine(Work, "instance.key");

        var (exitCode, process) = await RunAgentAsync("keygen", "--out", keyFile);

        Assert.That(exitCode, Is.Zero, process.AllOutput);
        Assert.That(File.ReadAllText(keyFile), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
        Assert.That(process.StandardOutput, Does.Contain("\"crv\":\"P-256\"").And.Not.Contain("\"d\""));
        var (again, refused) = await RunAgentAsync("keygen", "--out", keyFile);
        Assert.That(again, Is.EqualTo(1));
        Assert.That(refused.AllOutput, Does.Contain("already exists"));
    }

    [Test, CancelAfter(30_000)]
    [Platform(Exclude = "Win", Reason = "Unix file modes")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Keygen_force_over_a_readable_file_leaves_a_key_only_its_owner_can_read()
    {
        var keyFile = Path.Combine(Work, "instance.key");
        File.WriteAllText(keyFile, "an old key");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (exitCode, process) = await RunAgentAsync("keygen", "--out", keyFile, "--force");

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, process.AllOutput);
            Assert.That(File.ReadAllText(keyFile), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
            Assert.That(File.GetUnixFileMode(keyFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(Directory.GetFiles(Work, "*.tmp"), Is.Empty);
        });
    }

    [Test, CancelAfter(30_000)]
    public async Task Run_without_a_reachable_controller_or_a_cached_configuration_exits_1_and_says_why()
    {
        var keyFile = Path.Combine(Work, "instance.key");
        await RunAgentAsync("keygen", "--out", keyFile);
        var port = Hosting.SampleController.FreePort();

        var (exitCode, process) = await RunBackupAsync($"http://127.0.0.1:{port}", "nobody", keyFile);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(process.Output.Last(l => l.StartsWith("[stderr] error:", StringComparison.Ordinal)),
            Is.EqualTo("[stderr] error: the controller is unreachable and there is no cached configuration to run with"));
    }
}
