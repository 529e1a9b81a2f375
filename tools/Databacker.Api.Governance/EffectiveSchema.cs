using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Databacker.Api.Governance;

/// <summary>
/// A schema as a document of it must look: references followed and <c>allOf</c> parts merged, so that a field moved
/// into a shared base schema is not mistaken for a removed one.
/// </summary>
internal sealed class EffectiveSchema
{
    public string? Reference { get; private set; }
    public string? Type { get; private set; }
    public string? Format { get; private set; }
    public bool Nullable { get; private set; }
    public List<string>? Enum { get; private set; }
    public Dictionary<string, YamlNode> Properties { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Required { get; } = new(StringComparer.Ordinal);
    public YamlNode? Items { get; private set; }
    public YamlNode? AdditionalPropertiesSchema { get; private set; }
    public bool? AdditionalPropertiesAllowed { get; private set; }
    public string? Pattern { get; private set; }
    public bool UniqueItems { get; private set; }
    public decimal? MultipleOf { get; private set; }
    public Dictionary<string, decimal?> Limits { get; } = new(StringComparer.Ordinal);
    public bool ExclusiveMinimum { get; private set; }
    public bool ExclusiveMaximum { get; private set; }
    public string? DiscriminatorProperty { get; private set; }
    public Dictionary<string, string> DiscriminatorMapping { get; } = new(StringComparer.Ordinal);

    /// <summary>Upper bounds: a smaller value, or a new one, tightens the schema.</summary>
    public static readonly string[] UpperBounds = ["maxLength", "maxItems", "maxProperties", "maximum"];

    /// <summary>Lower bounds: a larger value, or a new one, tightens the schema.</summary>
    public static readonly string[] LowerBounds = ["minLength", "minItems", "minProperties", "minimum"];

    public static EffectiveSchema Of(OpenApiYaml document, YamlNode? node)
    {
        var schema = new EffectiveSchema();
        var mapping = document.Resolve(node, out var reference);
        // A wrapper (allOf: [$ref X] plus a description) stands for X, so that recursion through it is recognised.
        schema.Reference = reference
            ?? (OpenApiYaml.Child(mapping, "allOf") is YamlSequenceNode { Children.Count: 1 } parts
                && parts.Children[0] is YamlMappingNode only ? OpenApiYaml.Scalar(only, "$ref") : null);
        if (mapping is not null)
        {
            schema.Merge(document, mapping, depth: 0, isRoot: true);
        }

        return schema;
    }

    private void Merge(OpenApiYaml document, YamlMappingNode mapping, int depth, bool isRoot)
    {
        if (depth > 32)
        {
            throw new FormatException("allOf nests too deeply (circular?).");
        }

        // Parts first, so that the schema's own keywords win.
        if (OpenApiYaml.Child(mapping, "allOf") is YamlSequenceNode parts)
        {
            foreach (var part in parts.Children)
            {
                if (document.Resolve(part) is { } resolved)
                {
                    Merge(document, resolved, depth + 1, isRoot: false);
                }
            }
        }

        Type = OpenApiYaml.Scalar(mapping, "type") ?? Type;
        Format = OpenApiYaml.Scalar(mapping, "format") ?? Format;
        Nullable |= OpenApiYaml.Scalar(mapping, "nullable") == "true";
        Pattern = OpenApiYaml.Scalar(mapping, "pattern") ?? Pattern;
        UniqueItems |= OpenApiYaml.Scalar(mapping, "uniqueItems") == "true";
        ExclusiveMinimum |= OpenApiYaml.Scalar(mapping, "exclusiveMinimum") == "true";
        ExclusiveMaximum |= OpenApiYaml.Scalar(mapping, "exclusiveMaximum") == "true";
        MultipleOf = Number(mapping, "multipleOf") ?? MultipleOf;
        foreach (var limit in UpperBounds.Concat(LowerBounds))
        {
            if (Number(mapping, limit) is { } value)
            {
                Limits[limit] = value;
            }
        }

        if (OpenApiYaml.Child(mapping, "enum") is YamlSequenceNode values)
        {
            Enum = values.Children.Select(v => v is YamlScalarNode s ? s.Value ?? "null" : v.ToString()).ToList();
        }

        foreach (var (name, property) in OpenApiYaml.Entries(OpenApiYaml.Child(mapping, "properties")))
        {
            Properties[name] = property;
        }

        Required.UnionWith(OpenApiYaml.Strings(OpenApiYaml.Child(mapping, "required")));
        Items = OpenApiYaml.Child(mapping, "items") ?? Items;

        switch (OpenApiYaml.Child(mapping, "additionalProperties"))
        {
            case YamlScalarNode allowed:
                AdditionalPropertiesAllowed = allowed.Value == "true";
                break;
            case YamlMappingNode { Children.Count: 0 }:
                AdditionalPropertiesAllowed = true; // {} is any value, as true is
                break;
            case YamlMappingNode additional:
                AdditionalPropertiesAllowed = true;
                AdditionalPropertiesSchema = additional;
                break;
        }

        // A discriminator belongs to the schema that declares it, not to the subtypes that extend it (which would
        // otherwise lead back to themselves through its mapping).
        if (isRoot && OpenApiYaml.Child(mapping, "discriminator") is YamlMappingNode discriminator)
        {
            DiscriminatorProperty = OpenApiYaml.Scalar(discriminator, "propertyName");
            foreach (var (value, target) in OpenApiYaml.Entries(OpenApiYaml.Child(discriminator, "mapping")))
            {
                DiscriminatorMapping[value] = (target as YamlScalarNode)?.Value ?? string.Empty;
            }
        }
    }

    private static decimal? Number(YamlMappingNode mapping, string key)
        => OpenApiYaml.Scalar(mapping, key) is { } text && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
