using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Databacker.Api.Server.Tests;

/// <summary>A query parameter as openapi.yaml declares it, read straight from the YAML (not from the generated code).</summary>
internal sealed record SpecQueryParameter(
    string Method, string Path, string OperationId, string Tag, string Name,
    string Type, string? Format, long? Minimum, long? Maximum, int? MinLength, int? MaxLength, IReadOnlyList<string> Enum);

/// <summary>Reads the operations' query parameters from the contract the server embeds.</summary>
internal static class SpecQueryParameters
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    public static IReadOnlyList<SpecQueryParameter> All { get; } = Read();

    /// <summary>The operations (method, path, id, tag) that declare at least one query parameter.</summary>
    public static IEnumerable<(string Method, string Path, string OperationId, string Tag)> Operations =>
        All.Select(p => (p.Method, p.Path, p.OperationId, p.Tag)).Distinct();

    private static List<SpecQueryParameter> Read()
    {
        var yaml = new YamlStream();
        using (var stream = typeof(Databacker.Api.Server.Routing.ApiRouteTable).Assembly.GetManifestResourceStream("Databacker.Api.Server.openapi.yaml")!)
        using (var reader = new StreamReader(stream))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var result = new List<SpecQueryParameter>();
        foreach (var (pathKey, pathNode) in (YamlMappingNode)root["paths"])
        {
            foreach (var (methodKey, operationNode) in (YamlMappingNode)pathNode)
            {
                var method = Scalar(methodKey);
                if (!Methods.Contains(method) || operationNode is not YamlMappingNode operation
                    || !operation.Children.TryGetValue(new YamlScalarNode("parameters"), out var parameters))
                {
                    continue;
                }

                var id = Scalar(operation["operationId"]);
                var tag = Scalar(((YamlSequenceNode)operation["tags"]).Children[0]);
                foreach (var parameterNode in (YamlSequenceNode)parameters)
                {
                    var parameter = Resolve(root, (YamlMappingNode)parameterNode);
                    if (Scalar(parameter["in"]) != "query")
                    {
                        continue;
                    }

                    var schema = Resolve(root, (YamlMappingNode)parameter["schema"]);
                    result.Add(new SpecQueryParameter(
                        method.ToUpperInvariant(), Scalar(pathKey), id, tag, Scalar(parameter["name"]),
                        Optional(schema, "type") ?? "string", Optional(schema, "format"),
                        Number(schema, "minimum"), Number(schema, "maximum"),
                        (int?)Number(schema, "minLength"), (int?)Number(schema, "maxLength"),
                        schema.Children.TryGetValue(new YamlScalarNode("enum"), out var values)
                            ? ((YamlSequenceNode)values).Children.Select(Scalar).ToArray()
                            : []));
                }
            }
        }

        return result;
    }

    private static YamlMappingNode Resolve(YamlMappingNode root, YamlMappingNode node)
    {
        while (node.Children.TryGetValue(new YamlScalarNode("$ref"), out var reference))
        {
            // '#/components/parameters/Limit' → root.components.parameters.Limit
            node = Scalar(reference).TrimStart('#', '/').Split('/')
                .Aggregate(root, (current, segment) => (YamlMappingNode)current[segment]);
        }

        return node;
    }

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value!;

    private static string? Optional(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? Scalar(value) : null;

    private static long? Number(YamlMappingNode node, string key) =>
        Optional(node, key) is { } text ? long.Parse(text, CultureInfo.InvariantCulture) : null;
}
