using System.Reflection;
using Databacker.Api.Client;

namespace Databacker.Api.Contracts.Tests;

/// <summary>The generated clients offer exactly the spec's operations: one method per operation id, on its tag's client.</summary>
public class GeneratedClientOperationTests
{
    [Test]
    public void Every_spec_operation_has_exactly_one_client_method_on_its_tag_client_and_nothing_else()
    {
        var spec = SpecOperations.Read(RepositoryRoot.Combine("openapi.yaml"));
        var tags = spec.Select(o => o.Tag).Distinct().ToList();
        var expected = spec.Select(o => o.OperationId).Order(StringComparer.Ordinal).ToList();

        var generated = new List<string>();
        foreach (var tag in tags)
        {
            var client = typeof(IOrchestrationClient).Assembly.GetType($"Databacker.Api.Client.I{tag}Client");
            Assert.That(client, Is.Not.Null, $"no generated client interface for tag {tag}");
            generated.AddRange(client!.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal))
                .Select(m => $"{tag}_{m.Name[..^"Async".Length]}"));
        }

        Assert.That(expected, Is.Not.Empty);
        Assert.That(generated.Order(StringComparer.Ordinal).ToList(), Is.EqualTo(expected), "generated client methods and spec operations differ");
    }
}
