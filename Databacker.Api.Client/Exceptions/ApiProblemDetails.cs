using System.Text.Json;

namespace Databacker.Api.Client.Exceptions;

/// <summary>
/// An RFC 9457 problem details document (<c>application/problem+json</c>) returned by a server with an error.
/// </summary>
public sealed class ApiProblemDetails
{
    /// <summary>The media type of a problem details document.</summary>
    public const string MediaType = "application/problem+json";

    /// <summary>A URI reference identifying the problem type (<c>type</c>); <c>about:blank</c> when absent.</summary>
    public string Type { get; init; } = "about:blank";

    /// <summary>A short, human-readable summary of the problem type (<c>title</c>).</summary>
    public string? Title { get; init; }

    /// <summary>The HTTP status code the server generated for this occurrence (<c>status</c>).</summary>
    public int? Status { get; init; }

    /// <summary>A human-readable explanation specific to this occurrence (<c>detail</c>).</summary>
    public string? Detail { get; init; }

    /// <summary>A URI reference identifying this occurrence (<c>instance</c>).</summary>
    public string? Instance { get; init; }

    /// <summary>Every other member of the document, by name.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Parses a problem details document; members of the wrong JSON type are ignored, as RFC 9457 §3.1 asks.</summary>
    /// <param name="json">The response body.</param>
    /// <param name="problem">The parsed document, when the body is a JSON object.</param>
    /// <returns><see langword="true"/> when the body is a JSON object.</returns>
    public static bool TryParse(string? json, out ApiProblemDetails? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            string type = "about:blank";
            string? title = null, detail = null, instance = null;
            int? status = null;
            var extensions = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name)
                {
                    case "type" when value.ValueKind == JsonValueKind.String:
                        type = value.GetString()!;
                        break;
                    case "title" when value.ValueKind == JsonValueKind.String:
                        title = value.GetString();
                        break;
                    case "detail" when value.ValueKind == JsonValueKind.String:
                        detail = value.GetString();
                        break;
                    case "instance" when value.ValueKind == JsonValueKind.String:
                        instance = value.GetString();
                        break;
                    case "status" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var s):
                        status = s;
                        break;
                    case "type" or "title" or "detail" or "instance" or "status":
                        break;
                    default:
                        extensions[property.Name] = value.Clone();
                        break;
                }
            }

            problem = new ApiProblemDetails { Type = type, Title = title, Status = status, Detail = detail, Instance = instance, Extensions = extensions };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Detail is null ? $"{Title ?? Type}" : $"{Title ?? Type}: {Detail}";
}
