using YamlDotNet.RepresentationModel;

namespace Databacker.Api.Governance.Tests;

/// <summary>Applies an edit to a copy of the contract, through its YAML tree, and gives back the edited YAML.</summary>
internal static class SpecEdit
{
    public static string Spec { get; } = File.ReadAllText(RepositoryRoot.Combine("openapi.yaml"));

    public static YamlMappingNode Parse()
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(Spec))
        {
            stream.Load(reader);
        }

        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static string Apply(Action<YamlMappingNode> edit)
    {
        var root = Parse();
        edit(root);
        var stream = new YamlStream(new YamlDocument(root));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    /// <summary>The mapping at <paramref name="path"/> (keys from the root).</summary>
    public static YamlMappingNode At(this YamlMappingNode root, params string[] path)
    {
        YamlNode node = root;
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return (YamlMappingNode)node;
    }

    public static YamlMappingNode Schema(this YamlMappingNode root, string name) => root.At("components", "schemas", name);

    public static void Remove(this YamlMappingNode mapping, string key)
        => Assert.That(mapping.Children.Remove(new YamlScalarNode(key)), Is.True, $"no '{key}' to remove");

    public static void Set(this YamlMappingNode mapping, string key, YamlNode value)
        => mapping.Children[new YamlScalarNode(key)] = value;

    public static YamlMappingNode Copy(YamlMappingNode node)
    {
        var stream = new YamlStream(new YamlDocument(node));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        var copy = new YamlStream();
        using var reader = new StringReader(writer.ToString());
        copy.Load(reader);
        return (YamlMappingNode)copy.Documents[0].RootNode;
    }
}
