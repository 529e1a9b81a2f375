using YamlDotNet.RepresentationModel;

namespace Databacker.Api.Governance;

/// <summary>
/// An OpenAPI document as its YAML tree, with local <c>$ref</c>s (<c>#/components/...</c>) resolved on demand. The
/// checker needs nothing more than the tree: it compares what the document says, not what a generator makes of it.
/// </summary>
internal sealed class OpenApiYaml
{
    private readonly YamlMappingNode _root;

    private OpenApiYaml(YamlMappingNode root) => _root = root;

    public static OpenApiYaml Parse(string yaml)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(reader);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new FormatException("The OpenAPI document is empty or not a mapping.");
        }

        return new OpenApiYaml(root);
    }

    public YamlMappingNode Root => _root;

    /// <summary>The node a <c>$ref</c> points to (following chains of references), or the node itself.</summary>
    public YamlMappingNode? Resolve(YamlNode? node) => Resolve(node, out _);

    /// <summary>Like <see cref="Resolve(YamlNode?)"/>, also naming the last reference followed (e.g. <c>#/components/schemas/Instance</c>).</summary>
    public YamlMappingNode? Resolve(YamlNode? node, out string? reference)
    {
        reference = null;
        for (var hops = 0; node is YamlMappingNode mapping; hops++)
        {
            if (Scalar(mapping, "$ref") is not { } target)
            {
                return mapping;
            }

            if (hops > 32 || !target.StartsWith("#/", StringComparison.Ordinal))
            {
                throw new FormatException($"Unsupported or circular $ref '{target}': only local references are supported.");
            }

            reference = target;
            node = _root;
            foreach (var segment in target[2..].Split('/'))
            {
                var key = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                node = node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var child)
                    ? child
                    : throw new FormatException($"$ref '{target}' points to nothing.");
            }
        }

        return null;
    }

    public static YamlNode? Child(YamlMappingNode? mapping, string key)
        => mapping is not null && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string? Scalar(YamlMappingNode? mapping, string key) => (Child(mapping, key) as YamlScalarNode)?.Value;

    public static IEnumerable<(string Key, YamlNode Value)> Entries(YamlNode? node)
        => node is YamlMappingNode mapping
            ? mapping.Children.Select(e => (((YamlScalarNode)e.Key).Value ?? string.Empty, e.Value))
            : [];

    public static IEnumerable<string> Strings(YamlNode? node)
        => node is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? string.Empty)
            : [];
}
