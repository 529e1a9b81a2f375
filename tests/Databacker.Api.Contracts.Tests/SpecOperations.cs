using YamlDotNet.RepresentationModel;

namespace Databacker.Api.Contracts.Tests;

/// <summary>The operations openapi.yaml declares, read straight from the YAML.</summary>
internal static class SpecOperations
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    public static IReadOnlyList<(string Method, string Path, string OperationId, string Tag)> Read(string specPath)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(specPath))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var paths = (YamlMappingNode)root.Children[new YamlScalarNode("paths")];
        var result = new List<(string, string, string, string)>();
        foreach (var (pathKey, pathNode) in paths.Children)
        {
            foreach (var (methodKey, operationNode) in ((YamlMappingNode)pathNode).Children)
            {
                var method = ((YamlScalarNode)methodKey).Value!;
                if (!Methods.Contains(method))
                {
                    continue;
                }

                var operation = (YamlMappingNode)operationNode;
                var id = ((YamlScalarNode)operation.Children[new YamlScalarNode("operationId")]).Value!;
                var tag = ((YamlScalarNode)((YamlSequenceNode)operation.Children[new YamlScalarNode("tags")]).Children[0]).Value!;
                result.Add((method.ToUpperInvariant(), ((YamlScalarNode)pathKey).Value!, id, tag));
            }
        }

        return result;
    }
}
