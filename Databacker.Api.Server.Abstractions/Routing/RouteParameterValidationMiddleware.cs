using System.Buffers;
using Databacker.Api.Server.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Databacker.Api.Server.Routing;

/// <summary>
/// Rejects path parameters that do not match the contract's patterns (instance ids, key ids) with 400, before
/// authentication or any implementer code sees them.
/// </summary>
internal sealed class RouteParameterValidationMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiOperationAttribute>() is null)
        {
            return next(context);
        }

        if (context.GetRouteValue("instance") is string instance && !IsInstanceId(instance))
        {
            return Reject(context, "instance", "The instance id must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$.");
        }

        if (context.GetRouteValue("kid") is string kid && !IsKeyId(kid))
        {
            return Reject(context, "kid", "The key id must match ^[A-Za-z0-9._~-]{1,128}$.");
        }

        // The UUID's one form (8-4-4-4-12 hex digits), as format: uuid says; Guid.TryParse also takes braces, parentheses
        // and 32 digits without hyphens, which would make one run reachable under several URLs.
        if (context.GetRouteValue("run") is string run && !(run.Length == 36 && Guid.TryParseExact(run, "D", out _)))
        {
            return Reject(context, "run", "The run id must be a UUID (8-4-4-4-12 hexadecimal digits).");
        }

        return next(context);
    }

    private static Task Reject(HttpContext context, string parameter, string detail) =>
        ProblemWriter.WriteAsync(context, StatusCodes.Status400BadRequest, DatabackerProblemTypes.InvalidParameter, detail,
            new Dictionary<string, object?> { ["parameter"] = parameter });

    // The patterns of InstanceId and KeyId in openapi.yaml, checked without a regex: each is a fixed character set and
    // a length, so a span scan is exact, allocation-free and linear (no match timeout needed).
    private static readonly SearchValues<char> InstanceIdTail = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
    private static readonly SearchValues<char> KeyIdChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-");

    /// <summary>^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$</summary>
    internal static bool IsInstanceId(string value) =>
        value.Length is >= 1 and <= 64 && char.IsAsciiLetterOrDigit(value[0]) && !value.AsSpan(1).ContainsAnyExcept(InstanceIdTail);

    /// <summary>^[A-Za-z0-9._~-]{1,128}$</summary>
    internal static bool IsKeyId(string value) =>
        value.Length is >= 1 and <= 128 && !value.AsSpan().ContainsAnyExcept(KeyIdChars);
}
