using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Databacker.Api.Integration.Tests;

/// <summary>The packages as a NuGet user gets them: packed into a folder, restored from it by a fresh project.</summary>
[NonParallelizable]
public class PackageConsumptionTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private const string ConsumerProgram = """
        using Databacker.Api.Auth.Keys;
        using Databacker.Api.Client.DependencyInjection;
        using Databacker.Api.Contracts;
        using Databacker.Api.Server;
        using Databacker.Api.Server.Caching;
        using Databacker.Api.Server.DependencyInjection;
        using Microsoft.AspNetCore.Mvc;

        using var key = EcdsaKey.Generate();
        await using var agent = new DatabackerClientBuilder(o => { o.Controller = new Uri("http://127.0.0.1:5999/"); o.InstanceId = "x"; o.Key = key; }).Build();
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddDatabackerServer(o => { o.AgentTokens.Issuer = "http://127.0.0.1:5999"; o.UserTokens.Issuer = "u"; o.UserTokens.Audience = "a"; });
        Console.WriteLine(agent.Orchestration.GetType().Name);

        public sealed class Orchestration : OrchestrationControllerBase
        {
            public override Task<ActionResult<ConfigDocument>> GetConfig(string instance, string? if_None_Match = null, CancellationToken cancellationToken = default)
                => Task.FromResult(this.OkWithEntityTag<ConfigDocument>(new LocalConfig { Version = "config.databack.io/v1" }));

            public override Task<ActionResult<Endpoints>> GetEndpoints(string instance, CancellationToken cancellationToken = default)
                => Task.FromResult<ActionResult<Endpoints>>(NotFound());
        }
        """;

    [Test]
    public void Packages_restore_from_a_local_folder_and_build_a_tiny_agent_and_controller()
    {
        var root = RepositoryRoot.Path;
        var scratch = Directory.CreateTempSubdirectory("databacker-packages-").FullName;
        try
        {
            var feed = Path.Combine(scratch, "feed");
            var version = "0.0.0-ci." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
            foreach (var project in new[] { "Databacker.Api.Contracts", "Databacker.Api.Auth", "Databacker.Api.Client", "Databacker.Api.Server.Abstractions" })
            {
                // --no-build: the libraries were built by this test run; packing must not rebuild them under other tests.
                Run(root, "pack", Path.Combine(root, project, project + ".csproj"), "--no-build", "-c", Configuration, "-o", feed, $"-p:PackageVersion={version}");
            }

            Assert.That(Directory.GetFiles(feed, "*.nupkg"), Has.Length.EqualTo(4));
            Assert.That(Directory.GetFiles(feed, "*.snupkg"), Has.Length.EqualTo(4), "symbol packages");
            AssertRepositoryMetadata(root, Directory.GetFiles(feed, "*.nupkg"));

            var consumer = Path.Combine(scratch, "consumer");
            Directory.CreateDirectory(consumer);
            File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration><packageSources><add key="local" value="{feed}" /></packageSources></configuration>
                """);
            File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors><WarningsNotAsErrors>NU1603</WarningsNotAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Databacker.Api.Client" Version="{version}" />
                    <PackageReference Include="Databacker.Api.Server.Abstractions" Version="{version}" />
                    <!-- A pin applications commonly have: the packages must not demand a later one (NU1605, a downgrade). -->
                    <PackageReference Include="Newtonsoft.Json" Version="13.0.3" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(consumer, "Program.cs"), ConsumerProgram);
            File.WriteAllText(Path.Combine(consumer, "Directory.Build.props"), "<Project />");
            File.WriteAllText(Path.Combine(consumer, "Directory.Build.targets"), "<Project />");
            File.WriteAllText(Path.Combine(consumer, "Directory.Packages.props"), "<Project />");

            Run(consumer, "build", Path.Combine(consumer, "Consumer.csproj"));
            var output = Run(consumer, "run", "--no-build", "--project", Path.Combine(consumer, "Consumer.csproj"));
            Assert.That(output, Does.Contain("OrchestrationClient"));

            // The package page's controller example, as packed, builds against the packages with only the types it
            // leaves to the reader added.
            var readme = Path.Combine(scratch, "readme");
            Directory.CreateDirectory(readme);
            foreach (var file in new[] { "nuget.config", "Consumer.csproj", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            {
                File.Copy(Path.Combine(consumer, file), Path.Combine(readme, file));
            }

            File.WriteAllText(Path.Combine(readme, "Program.cs"), ControllerExample(feed) + ReaderTypes);
            Run(readme, "build", Path.Combine(readme, "Consumer.csproj"));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    // What the package page's controller example leaves to the reader: its store and its instance keys.
    private const string ReaderTypes = """

        public sealed class MyStore
        {
            public Task<ConfigDocument> GetConfigAsync(string instance, CancellationToken ct) => Task.FromResult<ConfigDocument>(new LocalConfig());
            public Task<IEnumerable<ServiceName>> GetServicesAsync(string instance, CancellationToken ct) => Task.FromResult<IEnumerable<ServiceName>>([ServiceName.Scheduling]);
        }

        public sealed class MyInstanceKeys : IInstanceKeyStore
        {
            public ValueTask<IReadOnlyList<RegisteredInstanceKey>> GetKeysAsync(string instanceId, CancellationToken cancellationToken = default) => new([]);
        }
        """;

    // The C# block of the packed README's "A controller" section.
    private static string ControllerExample(string feed)
    {
        var package = Directory.GetFiles(feed, "Databacker.Api.Server.Abstractions.*.nupkg").Single();
        using var zip = ZipFile.OpenRead(package);
        using var reader = new StreamReader(zip.GetEntry("README.md")!.Open());
        var text = reader.ReadToEnd();
        var section = text[text.IndexOf("## A controller", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        return section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
    }

    /// <summary>
    /// Every package says where its sources are: git as the repository type, the commit it was packed from, the
    /// remote's URL (or the project URL when the clone has no remote) and the project URL.
    /// </summary>
    private static void AssertRepositoryMetadata(string root, IEnumerable<string> packages)
    {
        var head = RunProcess("git", root, "rev-parse", "HEAD").Trim();
        Assert.That(head, Does.Match("^[0-9a-f]{40}$"), "git rev-parse HEAD");
        Assert.Multiple(() =>
        {
            foreach (var package in packages)
            {
                using var zip = ZipFile.OpenRead(package);
                var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
                using var stream = nuspec.Open();
                var metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
                var repository = metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository");
                var name = Path.GetFileName(package);
                Assert.That(repository, Is.Not.Null, $"{name}: <repository>");
                Assert.That(repository?.Attribute("type")?.Value, Is.EqualTo("git"), $"{name}: repository type");
                Assert.That(repository?.Attribute("commit")?.Value, Is.EqualTo(head), $"{name}: repository commit");
                Assert.That(repository?.Attribute("url")?.Value, Does.Match("^https?://"), $"{name}: repository url");
                Assert.That(metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "projectUrl")?.Value, Does.Match("^https?://"), $"{name}: projectUrl");
            }
        });
    }

    private static string Run(string workingDirectory, params string[] arguments) => RunProcess("dotnet", workingDirectory, arguments);

    private static string RunProcess(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(4)), Is.True, $"{program} {string.Join(' ', arguments)} timed out");
        var output = stdout.Result + stderr.Result;
        Assert.That(process.ExitCode, Is.Zero, $"{program} {string.Join(' ', arguments)} failed:\n{output}");
        return output;
    }
}
