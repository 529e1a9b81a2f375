using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Databacker.Api.Server.Errors;

/// <summary>Writes <c>application/problem+json</c> responses (RFC 9457). Never includes exception details.</summary>
internal static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    private static readonly JsonSerializerOptions SerializerOptions = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static Task WriteAsync(HttpContext context, int status, string type, string? detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        var body = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["type"] = type,
            ["title"] = Title(type, status),
            ["status"] = status,
            ["detail"] = detail,
            // A URI reference (RFC 9457): the path as sent, escaped, not its decoded value ("/instances/a b" is none).
            ["instance"] = context.Request.Path.HasValue ? context.Request.Path.ToUriComponent() : null,
        };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                body.TryAdd(key, value);
            }
        }

        return JsonSerializer.SerializeAsync(response.Body, body, SerializerOptions, context.RequestAborted);
    }

    public static string TypeForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => DatabackerProblemTypes.BadRequest,
        StatusCodes.Status401Unauthorized => DatabackerProblemTypes.Unauthorized,
        StatusCodes.Status403Forbidden => DatabackerProblemTypes.Forbidden,
        StatusCodes.Status404NotFound => DatabackerProblemTypes.NotFound,
        StatusCodes.Status405MethodNotAllowed => DatabackerProblemTypes.MethodNotAllowed,
        StatusCodes.Status406NotAcceptable => DatabackerProblemTypes.NotAcceptable,
        StatusCodes.Status409Conflict => DatabackerProblemTypes.Conflict,
        StatusCodes.Status410Gone => DatabackerProblemTypes.NotServedHere,
        StatusCodes.Status412PreconditionFailed => DatabackerProblemTypes.PreconditionFailed,
        StatusCodes.Status413PayloadTooLarge => DatabackerProblemTypes.PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => DatabackerProblemTypes.UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => DatabackerProblemTypes.TooManyRequests,
        StatusCodes.Status500InternalServerError => DatabackerProblemTypes.InternalError,
        _ => DatabackerProblemTypes.AboutBlank,
    };

    private static string Title(string type, int status) => type switch
    {
        DatabackerProblemTypes.InvalidBody => "The request body is invalid.",
        DatabackerProblemTypes.InvalidParameter => "A request parameter is invalid.",
        DatabackerProblemTypes.UnknownParameter => "The operation does not accept this query parameter.",
        DatabackerProblemTypes.BadRequest => "The request is invalid.",
        DatabackerProblemTypes.Unauthorized => "A valid access token is required.",
        DatabackerProblemTypes.Forbidden => "The access token does not allow this operation.",
        DatabackerProblemTypes.InstanceMismatch => "The access token belongs to another instance.",
        DatabackerProblemTypes.NotFound => "Not found.",
        DatabackerProblemTypes.MethodNotAllowed => "The method is not allowed on this path.",
        DatabackerProblemTypes.NotAcceptable => "No acceptable representation is available.",
        DatabackerProblemTypes.Conflict => "The request conflicts with the resource's state.",
        DatabackerProblemTypes.NotServedHere => "This endpoint does not serve the operation.",
        DatabackerProblemTypes.PreconditionFailed => "A precondition failed.",
        DatabackerProblemTypes.PayloadTooLarge => "The request body is too large.",
        DatabackerProblemTypes.UnsupportedMediaType => "The request body's media type is not supported.",
        DatabackerProblemTypes.TooManyRequests => "Too many requests.",
        DatabackerProblemTypes.InternalError => "The server failed to process the request.",
        _ => ReasonPhrases.GetReasonPhrase(status),
    };
}
