using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Databacker.Api.Server.Negotiation;

/// <summary>
/// A 200 whose body the action writes itself, incrementally, in the media type the runtime negotiated from
/// <c>Accept</c> among those the contract declares for the operation (for example NDJSON or plain text for a run's
/// log). Unacceptable <c>Accept</c> headers never get here: they are answered 406 before the action runs.
/// </summary>
public sealed class NegotiatedStreamResult : IActionResult
{
    private readonly Func<Stream, string, CancellationToken, Task> _writeAsync;

    /// <summary>Creates the result.</summary>
    /// <param name="writeAsync">Writes the body to the response stream, given the negotiated media type (without parameters) and the request's cancellation.</param>
    public NegotiatedStreamResult(Func<Stream, string, CancellationToken, Task> writeAsync)
    {
        ArgumentNullException.ThrowIfNull(writeAsync);
        _writeAsync = writeAsync;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The operation declares no response media types, so nothing was negotiated.</exception>
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mediaType = context.HttpContext.GetNegotiatedMediaTypes()?.Response
            ?? throw new InvalidOperationException("No response media type was negotiated: the operation declares none in the contract.");
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;

        // Text is UTF-8 and says so; other types (NDJSON, JSON) are UTF-8 by definition and carry no charset.
        response.ContentType = mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) ? mediaType + "; charset=utf-8" : mediaType;
        await _writeAsync(response.Body, mediaType, context.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
