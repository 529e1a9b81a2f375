using Databacker.Api.Server.DependencyInjection;
using Databacker.Api.Server.Errors;
using Databacker.Api.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Server.Negotiation;

/// <summary>
/// Negotiates the representations of an operation of the API before its body is bound: an unsupported request
/// <c>Content-Type</c> is answered 415 and an unsatisfiable <c>Accept</c> 406, each listing what is supported. The
/// result is then written in the negotiated media type, converted when the version was added with a converter.
/// </summary>
internal sealed class NegotiationFilter(OperationMediaTypes mediaTypes, IOptions<DatabackerServerOptions> options) : IAsyncResourceFilter, IResultFilter
{
    public Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        // The endpoint's metadata collection caches typed lookups; the action descriptor's list would be scanned per request.
        var operation = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<ApiOperationAttribute>();
        var entry = operation is null ? null : mediaTypes.Find(operation.OperationId);
        if (entry is null)
        {
            return next();
        }

        var request = context.HttpContext.Request;
        string? requestMediaType = null;
        var hasBody = entry.Consumes.Count > 0 && HasBody(context.HttpContext);
        if (entry.Consumes.Count > 0 && !hasBody && !entry.Consumes.Contains(FormMediaType))
        {
            // Every body of the contract is required: without one, say so and what to send (MVC would answer a bare 415).
            // The token endpoint (a form) answers in OAuth's own error format instead.
            context.Result = ProblemResult.InvalidBody(
                $"The request needs a body; send one of: {string.Join(", ", entry.Consumes)}.", "$", "A body is required.", "supported", entry.Consumes);
            return Task.CompletedTask;
        }

        if (hasBody)
        {
            requestMediaType = MediaTypeNegotiator.SelectRequestMediaType(request.ContentType, entry.Consumes);
            if (requestMediaType is null)
            {
                context.Result = new ProblemResult(StatusCodes.Status415UnsupportedMediaType, DatabackerProblemTypes.UnsupportedMediaType,
                    $"The body's media type '{request.ContentType}' is not supported; send one of: {string.Join(", ", entry.Consumes)}.",
                    new Dictionary<string, object?> { ["supported"] = entry.Consumes });
                return Task.CompletedTask;
            }

            // NDJSON is UTF-8 (the log reader reads nothing else): a body that says it is in another charset would be
            // misread, so it is refused as a type that is not supported.
            if (string.Equals(requestMediaType, NdjsonMediaType, StringComparison.OrdinalIgnoreCase) && !Charset.IsUtf8(request.ContentType))
            {
                context.Result = new ProblemResult(StatusCodes.Status415UnsupportedMediaType, DatabackerProblemTypes.UnsupportedMediaType,
                    $"A log body is UTF-8 NDJSON; '{request.ContentType}' names another charset.",
                    new Dictionary<string, object?> { ["supported"] = entry.Consumes });
                return Task.CompletedTask;
            }

            // A type that denotes a supported one without naming it exactly (a version without a format means JSON) is
            // bound as the one it denotes: the formatters know only the exact types.
            if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var given)
                && !string.Equals(given.MediaType.Value, requestMediaType, StringComparison.OrdinalIgnoreCase))
            {
                given.MediaType = requestMediaType;
                request.ContentType = given.ToString();
            }
        }

        string? responseMediaType = null;
        if (entry.Produces.Count > 0)
        {
            var accept = request.Headers.Accept;
            if (accept.Count == 0)
            {
                responseMediaType = entry.DefaultProduces;
            }
            else
            {
                string[] values = accept.Count == 1 ? [accept[0]!] : [.. accept.Where(v => v is not null)!];
                responseMediaType = MediaTypeNegotiator.SelectResponseMediaType(values, entry.Produces);
            }
            if (responseMediaType is null)
            {
                context.Result = new ProblemResult(StatusCodes.Status406NotAcceptable, DatabackerProblemTypes.NotAcceptable,
                    $"No representation matches the Accept header; available: {string.Join(", ", entry.Produces)}.",
                    new Dictionary<string, object?> { ["available"] = entry.Produces });
                return Task.CompletedTask;
            }

            context.HttpContext.Response.Headers.Vary = "Accept";
        }

        var converter = responseMediaType is null ? null : mediaTypes.FindConverter(responseMediaType);
        context.HttpContext.Features.Set(new NegotiatedMediaTypes(responseMediaType, requestMediaType, converter));
        return requestMediaType is not null && IsJson(requestMediaType) ? CheckJsonThenAsync(context, next) : next();
    }

    private const string FormMediaType = "application/x-www-form-urlencoded";
    private const string NdjsonMediaType = "application/x-ndjson";

    private static bool IsJson(string mediaType) =>
        mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase) || string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    // Json.NET binds JavaScript as well as JSON; a body must be JSON before it is bound (and maybe stored and served).
    private async Task CheckJsonThenAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var http = context.HttpContext;
        var maxValues = options.Value.RequestBodyLimits.MaxJsonValues;
        if (await Binding.StrictJsonSyntax.CheckBodyAsync(http.Request, maxValues, http.RequestAborted).ConfigureAwait(false) is { } problem)
        {
            context.Result = problem.TooLarge
                ? new ProblemResult(StatusCodes.Status413PayloadTooLarge, DatabackerProblemTypes.PayloadTooLarge, problem.Detail,
                    new Dictionary<string, object?> { ["maxValues"] = maxValues })
                : ProblemResult.InvalidBody(problem.Detail, "$", problem.Detail);
            return;
        }

        await next().ConfigureAwait(false);
    }

    public void OnResultExecuting(ResultExecutingContext context)
    {
        var negotiatedTypes = context.HttpContext.Features.Get<NegotiatedMediaTypes>();
        var negotiated = negotiatedTypes?.Response;
        if (negotiated is null || context.Result is not ObjectResult result || result.Value is null or ProblemDetails
            || result.ContentTypes.Count > 0 || (result.StatusCode is { } status && (status < 200 || status > 299)))
        {
            return;
        }

        if (negotiatedTypes!.ResponseConverter is { } convert)
        {
            result.Value = convert(result.Value);
            result.DeclaredType = result.Value.GetType();
        }

        result.ContentTypes.Clear();
        result.ContentTypes.Add(negotiated);
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }

    // The server's own answer when it has one (an HTTP/2 or HTTP/3 body needs neither Content-Length nor a content type),
    // else the headers' (a test server, say).
    private static bool HasBody(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is 0)
        {
            return false;
        }

        return context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>() is { } detection
            ? detection.CanHaveBody
            : request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0 || request.ContentType is not null;
    }
}
