using System.Xml.Linq;

namespace Databacker.Api.Integration.Tests;

/// <summary>Every public type of the four packages, generated ones included, has an XML summary for NuGet users.</summary>
[TestFixture]
public sealed class PublicTypeDocsTests
{
    [TestCase(typeof(Databacker.Api.Client.IOrchestrationClient))]
    [TestCase(typeof(Databacker.Api.Contracts.Instance))]
    [TestCase(typeof(Databacker.Api.Server.Routing.DiscoveryDocument))]
    [TestCase(typeof(Databacker.Api.Auth.Keys.EcdsaKey))]
    public void Every_public_type_has_a_summary(Type ofAssembly)
    {
        var assembly = ofAssembly.Assembly;
        var xml = XDocument.Load(Path.ChangeExtension(assembly.Location, ".xml"));
        var documented = xml.Descendants("member")
            .Where(m => m.Element("summary") is { } summary && summary.Value.Trim().Length > 0)
            .Select(m => (string)m.Attribute("name")!)
            .ToHashSet(StringComparer.Ordinal);

        var missing = assembly.GetExportedTypes()
            .Select(t => "T:" + t.FullName!.Replace('+', '.'))
            .Where(name => !documented.Contains(name))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.That(missing, Is.Empty);
    }
}
