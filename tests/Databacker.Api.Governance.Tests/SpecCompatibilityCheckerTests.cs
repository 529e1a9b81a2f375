using YamlDotNet.RepresentationModel;

namespace Databacker.Api.Governance.Tests;

/// <summary>Edits applied to a copy of openapi.yaml, each with the verdict the versioning rule gives it.</summary>
public class SpecCompatibilityCheckerTests
{
    private const string InstanceV1 = "application/vnd.databack.instance.v1+json";
    private const string InstanceV2 = "application/vnd.databack.instance.v2+json";
    private const string InstanceCreateV1 = "application/vnd.databack.instance-create.v1+json";

    private static CompatibilityReport Check(Action<YamlMappingNode> edit) => Check(edit, out _);

    private static CompatibilityReport Check(Action<YamlMappingNode> edit, out string edited)
    {
        edited = SpecEdit.Apply(edit);
        return SpecCompatibilityChecker.Compare(SpecEdit.Spec, edited);
    }

    private static void AssertBreaks(CompatibilityReport report, string? mediaType, string? jsonPath, string description)
    {
        Assert.That(report.IsCompatible, Is.False, "the edit must be reported as breaking");
        Assert.That(
            report.BreakingChanges.Any(c => c.MediaType == mediaType && c.JsonPath == jsonPath && c.Description.Contains(description, StringComparison.Ordinal)),
            Is.True,
            $"expected '{description}' at {jsonPath} in {mediaType}; got:\n{string.Join('\n', report.BreakingChanges)}");
    }

    private static void AssertPasses(CompatibilityReport report)
        => Assert.That(report.BreakingChanges, Is.Empty, "the edit is backwards compatible");

    private static YamlMappingNode OptionalString(string description)
        => new() { { "type", "string" }, { "maxLength", "100" }, { "description", description } };

    [Test]
    public void The_unchanged_spec_is_compatible_with_itself()
    {
        var report = Check(_ => { });

        AssertPasses(report);
        Assert.That(report.OperationsCompared, Is.GreaterThan(15));
        Assert.That(report.MediaTypesCompared, Is.GreaterThan(20));
    }

    [Test]
    public void Removing_a_response_field_breaks_every_media_type_carrying_it()
    {
        var report = Check(spec => spec.Schema("Instance").At("properties").Remove("description"));

        AssertBreaks(report, InstanceV1, "$.description", "removed");
        AssertBreaks(report, "application/vnd.databack.instance-list.v1+json", "$.items[*].description", "removed");
        Assert.That(report.BreakingChanges.Single(c => c.Operation == "GET /instances/{instance}").ToString(),
            Is.EqualTo($"{InstanceV1} (GET /instances/{{instance}} response 200): $.description removed (or renamed)"));
    }

    [Test]
    public void Renaming_a_field_is_removing_it()
    {
        var report = Check(spec =>
        {
            var properties = spec.Schema("Instance").At("properties");
            var name = properties.At("name");
            properties.Remove("name");
            properties.Set("displayName", name);
        });

        AssertBreaks(report, InstanceV1, "$.name", "removed (or renamed)");
    }

    [Test]
    public void Changing_a_type_breaks()
    {
        var report = Check(spec => spec.Schema("Instance").At("properties", "createdAt").Set("type", new YamlScalarNode("integer")));

        AssertBreaks(report, InstanceV1, "$.createdAt", "type changed from string to integer");
    }

    [Test]
    public void A_new_required_request_field_breaks()
    {
        var report = Check(spec =>
        {
            var create = spec.Schema("InstanceCreate");
            create.At("properties").Set("owner", OptionalString("Owner."));
            ((YamlSequenceNode)create.Children[new YamlScalarNode("required")]).Add("owner");
        });

        AssertBreaks(report, InstanceCreateV1, "$.owner", "added as required");
    }

    [Test]
    public void An_optional_request_field_becoming_required_breaks()
    {
        var report = Check(spec => ((YamlSequenceNode)spec.Schema("InstanceCreate").Children[new YamlScalarNode("required")]).Add("description"));

        AssertBreaks(report, InstanceCreateV1, "$.description", "became required");
    }

    [Test]
    public void Narrowing_an_enum_breaks_requests_and_responses()
    {
        var report = Check(spec => spec.Schema("ServiceName").Set("enum", new YamlSequenceNode(new YamlScalarNode("scheduling"))));

        AssertBreaks(report, InstanceCreateV1, "$.services[*]", "'reporting' removed");
        AssertBreaks(report, InstanceV1, "$.services[*]", "'reporting' removed");
    }

    [Test]
    public void A_smaller_max_length_breaks()
    {
        var report = Check(spec => spec.Schema("InstanceCreate").At("properties", "name").Set("maxLength", new YamlScalarNode("100")));

        AssertBreaks(report, InstanceCreateV1, "$.name", "maxLength tightened from 200 to 100");
    }

    [Test]
    public void A_new_pattern_breaks()
    {
        var report = Check(spec => spec.Schema("InstanceCreate").At("properties", "name").Set("pattern", new YamlScalarNode("^[a-z]+$")));

        AssertBreaks(report, InstanceCreateV1, "$.name", "pattern added");
    }

    [Test]
    public void A_larger_max_length_an_optional_request_field_and_a_new_enum_value_pass()
    {
        var report = Check(spec =>
        {
            spec.Schema("InstanceCreate").At("properties", "name").Set("maxLength", new YamlScalarNode("400"));
            spec.Schema("InstanceCreate").At("properties").Set("owner", OptionalString("Owner."));
            ((YamlSequenceNode)spec.Schema("ServiceName").Children[new YamlScalarNode("enum")]).Add("monitoring");
        });

        AssertPasses(report);
    }

    [Test]
    public void An_optional_response_field_passes()
    {
        var report = Check(spec => spec.Schema("Instance").At("properties").Set("owner", OptionalString("Owner.")));

        AssertPasses(report);
    }

    [Test]
    public void A_new_operation_passes()
    {
        var report = Check(spec =>
        {
            var operation = SpecEdit.Copy(spec.At("paths", "/instances/{instance}", "get"));
            operation.Set("operationId", new YamlScalarNode("Administration_GetInstanceLabels"));
            spec.At("paths").Set("/instances/{instance}/labels", new YamlMappingNode { { "get", operation } });
        }, out var edited);

        AssertPasses(report);
        Assert.That(edited, Does.Contain("/instances/{instance}/labels:"));
    }

    [Test]
    public void Removing_an_operation_breaks()
    {
        var report = Check(spec => spec.At("paths", "/instances/{instance}").Remove("delete"));

        AssertBreaks(report, null, null, "operation Administration_DeleteInstance removed");
        Assert.That(report.BreakingChanges.Single().Operation, Is.EqualTo("DELETE /instances/{instance}"));
    }

    [Test]
    public void Removing_a_media_type_breaks_even_when_a_newer_version_replaces_it()
    {
        var report = Check(spec =>
        {
            var content = spec.At("paths", "/instances/{instance}", "get", "responses", "200", "content");
            var v1 = content.At(InstanceV1);
            content.Remove(InstanceV1);
            content.Set(InstanceV2, v1);
        });

        AssertBreaks(report, InstanceV1, null, "media type removed");
    }

    [Test]
    public void A_breaking_change_under_a_new_v2_media_type_next_to_an_untouched_v1_passes()
    {
        var report = Check(spec =>
        {
            // Instance v2: description gone, name renamed, createdAt a number, a new required request-side field…
            var v2 = SpecEdit.Copy(spec.Schema("Instance"));
            v2.At("properties").Remove("description");
            v2.At("properties").Set("displayName", v2.At("properties", "name"));
            v2.At("properties").Remove("name");
            v2.At("properties", "createdAt").Set("type", new YamlScalarNode("integer"));
            spec.At("components", "schemas").Set("InstanceV2", v2);
            spec.At("paths", "/instances/{instance}", "get", "responses", "200", "content")
                .Set(InstanceV2, new YamlMappingNode { { "schema", new YamlMappingNode { { "$ref", "#/components/schemas/InstanceV2" } } } });
        }, out var edited);

        AssertPasses(report);
        Assert.That(edited, Does.Contain(InstanceV2 + ":").And.Contain("InstanceV2:"));
    }

    [Test]
    public void The_same_change_inside_v1_fails_where_under_v2_it_passes()
    {
        var report = Check(spec => spec.Schema("Instance").At("properties", "createdAt").Set("type", new YamlScalarNode("integer")));

        Assert.That(report.BreakingChanges.Select(c => c.MediaType), Has.Member(InstanceV1).And.No.Member(InstanceV2));
    }

    [Test]
    public void A_field_removed_from_a_discriminated_subtype_breaks_the_configuration_media_type()
    {
        var report = Check(spec =>
        {
            var spec2 = spec.Schema("LocalConfig");
            var own = (YamlMappingNode)((YamlSequenceNode)spec2.Children[new YamlScalarNode("allOf")]).Children[1];
            own.At("properties").Remove("spec");
        });

        AssertBreaks(report, "application/vnd.databack.device-config.v1+json", "$(kind=local).spec", "removed");
    }

    [Test]
    public void A_field_removed_from_the_line_schema_of_a_stream_breaks_the_stream()
    {
        var report = Check(spec => spec.Schema("LogEntry").At("properties").Remove("level"));

        AssertBreaks(report, "application/x-ndjson", "$(line).level", "removed");
    }

    [Test]
    public void A_new_required_query_parameter_breaks()
    {
        var report = Check(spec =>
        {
            var operation = spec.At("paths", "/instances", "get");
            var parameters = (YamlSequenceNode)operation.Children[new YamlScalarNode("parameters")];
            parameters.Add(new YamlMappingNode
            {
                { "name", "owner" }, { "in", "query" }, { "required", "true" }, { "description", "Owner." },
                { "schema", new YamlMappingNode { { "type", "string" } } },
            });
        });

        AssertBreaks(report, null, null, "added as required");
        Assert.That(report.BreakingChanges.Single().Location, Is.EqualTo("parameter owner (query)"));
    }

    [Test]
    public void Recursive_schemas_are_compared_without_end_and_a_change_deep_inside_is_found()
    {
        const string Tree = """
            openapi: 3.0.3
            info: { title: t, version: '1' }
            paths:
              /trees:
                get:
                  operationId: Trees_Get
                  responses:
                    '200':
                      description: A tree.
                      content:
                        application/vnd.databack.tree.v1+json:
                          schema: { $ref: '#/components/schemas/Tree' }
            components:
              schemas:
                Tree:
                  type: object
                  properties:
                    name: { type: string, maxLength: 10 }
                    children:
                      type: array
                      items:
                        allOf:
                          - $ref: '#/components/schemas/Tree'
                        description: A child.
            """;

        Assert.That(SpecCompatibilityChecker.Compare(Tree, Tree).IsCompatible, Is.True);
        var report = SpecCompatibilityChecker.Compare(Tree, Tree.Replace("maxLength: 10", "maxLength: 5", StringComparison.Ordinal));
        AssertBreaks(report, "application/vnd.databack.tree.v1+json", "$.name", "maxLength tightened from 10 to 5");
        Assert.That(report.BreakingChanges, Has.Count.EqualTo(1), "the recursion is compared once: " + string.Join('\n', report.BreakingChanges));
    }

    [Test]
    public void Giving_a_type_to_free_form_request_members_breaks_the_requests_that_carry_them()
    {
        var report = Check(spec => spec.Schema("Event").At("properties", "attributes").Set("additionalProperties", new YamlMappingNode { { "type", "string" } }));

        AssertBreaks(report, "application/vnd.databack.events.v1+json", "$.events[*].attributes.*", "additional members narrowed from any value to a schema");
    }

    [Test]
    public void Additional_members_true_and_an_empty_schema_are_the_same_and_header_names_ignore_case()
    {
        var sameMembers = Check(spec => spec.Schema("ConfigMetadata").Set("additionalProperties", new YamlMappingNode()));
        var sameHeader = Check(spec =>
        {
            var headers = spec.At("paths", "/engines/config/{instance}", "get", "responses", "200", "headers");
            var etag = headers.Children[new YamlScalarNode("ETag")];
            headers.Remove("ETag");
            headers.Set("Etag", etag);
        });

        AssertPasses(sameMembers);
        AssertPasses(sameHeader);
    }

    [Test]
    public void A_schema_for_members_that_were_allowed_as_anything_breaks_requests()
    {
        var report = Check(spec => spec.Schema("ConfigMetadata").Set("additionalProperties", new YamlMappingNode { { "type", "string" } }));

        AssertBreaks(report, "application/vnd.databack.device-config.v1+json", "$.metadata.*", "additional members narrowed from any value to a schema");
    }

    [Test]
    public void Removing_a_response_header_breaks()
    {
        var report = Check(spec => spec.At("paths", "/engines/config/{instance}", "get", "responses", "200").Remove("headers"));

        Assert.That(report.IsCompatible, Is.False);
        Assert.That(report.BreakingChanges.Any(c => c.Operation == "GET /engines/config/{instance}" && c.JsonPath == "header ETag" && c.Description.Contains("removed", StringComparison.Ordinal)),
            Is.True, string.Join('\n', report.BreakingChanges));
    }

    [Test]
    public void Narrowing_what_a_response_member_can_be_passes()
    {
        // Older clients read any value there; a string is one.
        var report = Check(spec => spec.Schema("Instance").At("properties").Set("extra", new YamlMappingNode()));
        var narrowed = SpecCompatibilityChecker.Compare(
            SpecEdit.Apply(spec => spec.Schema("Instance").At("properties").Set("extra", new YamlMappingNode())),
            SpecEdit.Apply(spec => spec.Schema("Instance").At("properties").Set("extra", new YamlMappingNode { { "type", "string" } })));

        AssertPasses(report);
        AssertPasses(narrowed);
    }
}
