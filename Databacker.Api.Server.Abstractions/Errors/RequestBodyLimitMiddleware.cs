using Databacker.Api.Server.DependencyInjection;
using Databacker.Api.Server.Diagnostics;
using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Server.Errors;

/// <summary>
/// Applies the per-operation body limit: refuses a declared <c>Content-Length</c> over it at once, and otherwise caps
/// the body stream (and the server's own limit) so a chunked body fails with 413 as soon as it crosses the limit.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<DatabackerServerOptions> options, ILogger<RequestBodyLimitMiddleware> logger)
{
    private static readonly object LimitKey = new();

    public static long? GetLimit(HttpContext context) => context.Items.TryGetValue(LimitKey, out var value) && value is long limit ? limit : null;

    public Task InvokeAsync(HttpContext context)
    {
        // A request the server knows has no body (e.g. a GET without Content-Length or Transfer-Encoding) has nothing
        // to limit; skipping it spares every such request the Items entry and the stream wrapper.
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return next(context);
        }

        var operationId = context.GetEndpoint()?.Metadata.GetMetadata<ApiOperationAttribute>()?.OperationId;
        var limit = options.Value.RequestBodyLimits.For(operationId);
        context.Items[LimitKey] = limit;
        var request = context.Request;
        if (request.ContentLength is { } length && length > limit)
        {
            ServerLog.BodyTooLarge(logger, request.Method, request.Path, limit);
            return ProblemWriter.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, DatabackerProblemTypes.PayloadTooLarge,
                $"The request body exceeds the limit of {limit} bytes for this operation.", new Dictionary<string, object?> { ["limit"] = limit });
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        if (request.ContentLength is not 0)
        {
            request.Body = new LimitedRequestStream(request.Body, limit);
        }

        return next(context);
    }
}
