using YamlDotNet.RepresentationModel;

namespace Databacker.Api.Governance;

/// <summary>
/// Compares a contract with its last released version under the spec's versioning rule: inside an existing media
/// type only backwards-compatible changes (additions older peers ignore). Every finding names the media type and
/// the field. A media type new in the contract has no released version, so nothing under it can break anything:
/// a breaking change made under <c>….v2+json</c>, next to an untouched <c>….v1+json</c>, passes.
/// </summary>
/// <remarks>
/// Breaking: removing an operation, a parameter, a response, a media type, a field (renaming is removing), an enum
/// value or a discriminator value; changing a type or format; a new required request field or parameter; a
/// response field no longer always present, or newly nullable; a tightened constraint anywhere (smaller maximum,
/// larger minimum, new or changed pattern, no more additional members, no longer nullable in a request).
/// Allowed: new operations, media types, optional request fields, response fields, enum values, looser constraints.
/// </remarks>
internal sealed class SpecCompatibilityChecker
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
    private const int MaxDepth = 64;

    private readonly OpenApiYaml _baseline;
    private readonly OpenApiYaml _current;
    private readonly List<BreakingChange> _changes = [];
    private readonly HashSet<string> _comparing = new(StringComparer.Ordinal);
    private int _depth;
    private int _operations;
    private int _mediaTypes;

    private SpecCompatibilityChecker(OpenApiYaml baseline, OpenApiYaml current)
    {
        _baseline = baseline;
        _current = current;
    }

    /// <summary>Compares <paramref name="currentYaml"/> with <paramref name="baselineYaml"/>, the last released contract.</summary>
    public static CompatibilityReport Compare(string baselineYaml, string currentYaml)
    {
        var checker = new SpecCompatibilityChecker(OpenApiYaml.Parse(baselineYaml), OpenApiYaml.Parse(currentYaml));
        checker.CompareOperations();
        return new CompatibilityReport(checker._changes, checker._operations, checker._mediaTypes);
    }

    private void CompareOperations()
    {
        var basePaths = OpenApiYaml.Child(_baseline.Root, "paths");
        var currentPaths = OpenApiYaml.Child(_current.Root, "paths") as YamlMappingNode;
        foreach (var (path, baseItemNode) in OpenApiYaml.Entries(basePaths))
        {
            var baseItem = _baseline.Resolve(baseItemNode);
            var currentItem = _current.Resolve(OpenApiYaml.Child(currentPaths, path));
            foreach (var (method, baseOperationNode) in OpenApiYaml.Entries(baseItem).Where(e => Methods.Contains(e.Key)))
            {
                var name = $"{method.ToUpperInvariant()} {path}";
                var baseOperation = (YamlMappingNode)baseOperationNode;
                if (OpenApiYaml.Child(currentItem, method) is not YamlMappingNode currentOperation)
                {
                    var id = OpenApiYaml.Scalar(baseOperation, "operationId");
                    Report(name, string.Empty, null, null, id is null ? "operation removed" : $"operation {id} removed");
                    continue;
                }

                _operations++;
                CompareParameters(name, baseItem, baseOperation, currentItem, currentOperation);
                CompareRequestBody(name, baseOperation, currentOperation);
                CompareResponses(name, baseOperation, currentOperation);
            }
        }
    }

    private void CompareParameters(string operation, YamlMappingNode? baseItem, YamlMappingNode baseOperation, YamlMappingNode? currentItem, YamlMappingNode currentOperation)
    {
        var before = Parameters(_baseline, baseItem, baseOperation);
        var after = Parameters(_current, currentItem, currentOperation);
        foreach (var (key, parameter) in before)
        {
            var location = $"parameter {key.Name} ({key.In})";
            if (!after.TryGetValue(key, out var now))
            {
                Report(operation, location, null, null, "removed (or renamed)");
                continue;
            }

            if (!IsTrue(parameter, "required") && IsTrue(now, "required"))
            {
                Report(operation, location, null, null, "became required");
            }

            CompareSchema(OpenApiYaml.Child(parameter, "schema"), OpenApiYaml.Child(now, "schema"), MessageDirection.Request, operation, location, null, "$");
        }

        foreach (var (key, parameter) in after.Where(p => !before.ContainsKey(p.Key) && IsTrue(p.Value, "required")))
        {
            Report(operation, $"parameter {key.Name} ({key.In})", null, null, "added as required");
        }
    }

    private Dictionary<(string In, string Name), YamlMappingNode> Parameters(OpenApiYaml document, YamlMappingNode? item, YamlMappingNode operation)
    {
        var result = new Dictionary<(string, string), YamlMappingNode>();
        foreach (var list in new[] { OpenApiYaml.Child(item, "parameters"), OpenApiYaml.Child(operation, "parameters") })
        {
            foreach (var node in (list as YamlSequenceNode)?.Children ?? [])
            {
                if (document.Resolve(node) is { } parameter)
                {
                    result[(OpenApiYaml.Scalar(parameter, "in") ?? "?", OpenApiYaml.Scalar(parameter, "name") ?? "?")] = parameter;
                }
            }
        }

        return result;
    }

    private void CompareRequestBody(string operation, YamlMappingNode baseOperation, YamlMappingNode currentOperation)
    {
        var before = _baseline.Resolve(OpenApiYaml.Child(baseOperation, "requestBody"));
        var after = _current.Resolve(OpenApiYaml.Child(currentOperation, "requestBody"));
        if (before is null)
        {
            if (after is not null && IsTrue(after, "required"))
            {
                Report(operation, "request", null, null, "a required request body was added");
            }

            return;
        }

        if (after is null)
        {
            Report(operation, "request", null, null, "request body removed");
            return;
        }

        if (!IsTrue(before, "required") && IsTrue(after, "required"))
        {
            Report(operation, "request", null, null, "request body became required");
        }

        CompareContent(operation, "request", before, after, MessageDirection.Request);
    }

    private void CompareResponses(string operation, YamlMappingNode baseOperation, YamlMappingNode currentOperation)
    {
        var after = OpenApiYaml.Child(currentOperation, "responses") as YamlMappingNode;
        foreach (var (status, baseResponseNode) in OpenApiYaml.Entries(OpenApiYaml.Child(baseOperation, "responses")))
        {
            var location = $"response {status}";
            var before = _baseline.Resolve(baseResponseNode);
            var now = _current.Resolve(OpenApiYaml.Child(after, status));
            if (now is null)
            {
                Report(operation, location, null, null, "removed");
                continue;
            }

            CompareContent(operation, location, before, now, MessageDirection.Response);
            CompareHeaders(operation, location, before, now);
        }
    }

    // A response header clients may rely on (an ETag for a conditional request) is part of the contract too.
    private void CompareHeaders(string operation, string location, YamlMappingNode? before, YamlMappingNode now)
    {
        var after = OpenApiYaml.Child(now, "headers") as YamlMappingNode;
        foreach (var (name, baseHeaderNode) in OpenApiYaml.Entries(OpenApiYaml.Child(before, "headers")))
        {
            // Header names are case-insensitive (RFC 9110): ETag renamed Etag is the same header.
            var currentName = OpenApiYaml.Entries(after).Select(e => e.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            var current = currentName is null ? null : _current.Resolve(OpenApiYaml.Child(after, currentName));
            if (current is null)
            {
                Report(operation, location, null, $"header {name}", "removed");
                continue;
            }

            CompareSchema(
                OpenApiYaml.Child(_baseline.Resolve(baseHeaderNode), "schema"),
                OpenApiYaml.Child(current, "schema"),
                MessageDirection.Response,
                operation,
                location,
                null,
                $"header {name}");
        }
    }

    private void CompareContent(string operation, string location, YamlMappingNode? before, YamlMappingNode after, MessageDirection direction)
    {
        var content = OpenApiYaml.Child(after, "content") as YamlMappingNode;
        foreach (var (mediaType, baseMediaNode) in OpenApiYaml.Entries(OpenApiYaml.Child(before, "content")))
        {
            if (OpenApiYaml.Child(content, mediaType) is not YamlMappingNode currentMedia)
            {
                Report(operation, location, mediaType, null, "media type removed: it needs to stay as it is next to any newer version");
                continue;
            }

            _mediaTypes++;
            var baseMedia = baseMediaNode as YamlMappingNode;
            CompareSchema(OpenApiYaml.Child(baseMedia, "schema"), OpenApiYaml.Child(currentMedia, "schema"), direction, operation, location, mediaType, "$");

            // Streams declare the schema of one line (x-databack-item-schema); its fields are as binding as a body's.
            var baseItem = OpenApiYaml.Child(baseMedia, "x-databack-item-schema");
            if (baseItem is not null)
            {
                CompareSchema(baseItem, OpenApiYaml.Child(currentMedia, "x-databack-item-schema"), direction, operation, location, mediaType, "$(line)");
            }
        }
    }

    private void CompareSchema(YamlNode? baseNode, YamlNode? currentNode, MessageDirection direction, string operation, string location, string? mediaType, string path)
    {
        if (baseNode is null)
        {
            return;
        }

        if (currentNode is null)
        {
            Report(operation, location, mediaType, path, "schema removed");
            return;
        }

        var before = EffectiveSchema.Of(_baseline, baseNode);
        var after = EffectiveSchema.Of(_current, currentNode);

        // Recursive schemas: compare each pair of referenced schemas once per path through them; a recursion that
        // hides behind allOf wrappers (no reference of its own) is cut off by depth.
        var key = before.Reference is null || after.Reference is null ? null : $"{before.Reference}|{after.Reference}|{direction}";
        if ((key is not null && !_comparing.Add(key)) || _depth >= MaxDepth)
        {
            return;
        }

        _depth++;
        try
        {
            Compare(before, after, direction, operation, location, mediaType, path);
        }
        finally
        {
            _depth--;
            if (key is not null)
            {
                _comparing.Remove(key);
            }
        }
    }

    private void Compare(EffectiveSchema before, EffectiveSchema after, MessageDirection direction, string operation, string location, string? mediaType, string path)
    {
        void Breaking(string description, string? at = null) => Report(operation, location, mediaType, at ?? path, description);

        if (before.Type != after.Type && before.Type is not null)
        {
            Breaking($"type changed from {before.Type} to {after.Type ?? "any"}");
            return;
        }

        // A value that could be anything ({} or a schema without a type or members) and now has a type: requests that
        // sent another kind of value are refused.
        if (direction == MessageDirection.Request && before.Type is null && after.Type is not null
            && before.Properties.Count == 0 && before.Items is null && before.DiscriminatorProperty is null && before.Reference is null)
        {
            Breaking($"type narrowed from any to {after.Type}");
            return;
        }

        if (before.Format != after.Format)
        {
            Breaking($"format changed from {before.Format ?? "none"} to {after.Format ?? "none"}");
        }

        if (direction == MessageDirection.Request && before.Nullable && !after.Nullable)
        {
            Breaking("no longer accepts null");
        }

        if (direction == MessageDirection.Response && !before.Nullable && after.Nullable)
        {
            Breaking("may now be null");
        }

        if (before.Enum is not null)
        {
            var removed = after.Enum is null ? [] : before.Enum.Except(after.Enum, StringComparer.Ordinal).ToList();
            if (removed.Count > 0)
            {
                Breaking($"enum narrowed: {string.Join(", ", removed.Select(v => $"'{v}'"))} removed");
            }
        }
        else if (after.Enum is not null)
        {
            Breaking("enum added: the values are now restricted");
        }

        CompareConstraints(before, after, Breaking);

        foreach (var (name, baseProperty) in before.Properties)
        {
            var propertyPath = $"{path}.{name}";
            if (!after.Properties.TryGetValue(name, out var currentProperty))
            {
                Breaking("removed (or renamed)", propertyPath);
                continue;
            }

            if (direction == MessageDirection.Response && before.Required.Contains(name) && !after.Required.Contains(name))
            {
                Breaking("no longer required: older clients rely on it", propertyPath);
            }

            CompareSchema(baseProperty, currentProperty, direction, operation, location, mediaType, propertyPath);
        }

        if (direction == MessageDirection.Request)
        {
            foreach (var name in after.Required.Where(n => !before.Required.Contains(n)).Order(StringComparer.Ordinal))
            {
                Breaking(before.Properties.ContainsKey(name) ? "became required" : "added as required: older clients do not send it", $"{path}.{name}");
            }
        }

        if (before.Items is not null)
        {
            CompareSchema(before.Items, after.Items, direction, operation, location, mediaType, $"{path}[*]");
        }

        if (before.AdditionalPropertiesSchema is not null && after.AdditionalPropertiesSchema is not null)
        {
            CompareSchema(before.AdditionalPropertiesSchema, after.AdditionalPropertiesSchema, direction, operation, location, mediaType, $"{path}.*");
        }
        else if (direction == MessageDirection.Request && before.AdditionalPropertiesSchema is null && before.AdditionalPropertiesAllowed != false
            && after.AdditionalPropertiesSchema is not null)
        {
            // Any additional member was accepted (true, or not said); now they must match a schema.
            Breaking("additional members narrowed from any value to a schema", $"{path}.*");
        }

        foreach (var (value, target) in before.DiscriminatorMapping)
        {
            var variantPath = $"{path}({before.DiscriminatorProperty}={value})";
            if (!after.DiscriminatorMapping.TryGetValue(value, out var currentTarget))
            {
                Breaking($"discriminator value '{value}' removed", path);
                continue;
            }

            CompareSchema(new YamlMappingNode { { "$ref", target } }, new YamlMappingNode { { "$ref", currentTarget } }, direction, operation, location, mediaType, variantPath);
        }
    }

    private static void CompareConstraints(EffectiveSchema before, EffectiveSchema after, Action<string, string?> breaking)
    {
        foreach (var limit in EffectiveSchema.UpperBounds)
        {
            var (was, now) = (before.Limits.GetValueOrDefault(limit), after.Limits.GetValueOrDefault(limit));
            if (now is not null && (was is null || now < was))
            {
                breaking($"{limit} tightened from {(was?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")} to {now.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}", null);
            }
        }

        foreach (var limit in EffectiveSchema.LowerBounds)
        {
            var (was, now) = (before.Limits.GetValueOrDefault(limit), after.Limits.GetValueOrDefault(limit));
            if (now is not null && (was is null || now > was))
            {
                breaking($"{limit} tightened from {(was?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")} to {now.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}", null);
            }
        }

        if (!before.ExclusiveMinimum && after.ExclusiveMinimum)
        {
            breaking("minimum became exclusive", null);
        }

        if (!before.ExclusiveMaximum && after.ExclusiveMaximum)
        {
            breaking("maximum became exclusive", null);
        }

        if (after.Pattern is not null && after.Pattern != before.Pattern)
        {
            breaking(before.Pattern is null ? $"pattern added: {after.Pattern}" : $"pattern changed from {before.Pattern} to {after.Pattern}", null);
        }

        if (after.MultipleOf is not null && after.MultipleOf != before.MultipleOf)
        {
            breaking("multipleOf added or changed", null);
        }

        if (!before.UniqueItems && after.UniqueItems)
        {
            breaking("items must now be unique", null);
        }

        if (before.AdditionalPropertiesAllowed != false && after.AdditionalPropertiesAllowed == false)
        {
            breaking("additional members no longer allowed", null);
        }
    }

    private static bool IsTrue(YamlMappingNode? mapping, string key) => OpenApiYaml.Scalar(mapping, key) == "true";

    private void Report(string operation, string location, string? mediaType, string? path, string description)
    {
        var change = new BreakingChange(operation, location, mediaType, path, description);
        if (!_changes.Contains(change))
        {
            _changes.Add(change);
        }
    }
}
