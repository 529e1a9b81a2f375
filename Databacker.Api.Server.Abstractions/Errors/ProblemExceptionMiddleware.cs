using Databacker.Api.Server.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Databacker.Api.Server.Errors;

/// <summary>
/// Turns exceptions into problem details: unreadable or oversized bodies into 400/413, anything else into a bare 500
/// that discloses nothing (the exception goes to the log only).
/// </summary>
internal sealed class ProblemExceptionMiddleware(RequestDelegate next, ILogger<ProblemExceptionMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                var limit = RequestBodyLimitMiddleware.GetLimit(context);
                ServerLog.BodyTooLarge(logger, context.Request.Method, context.Request.Path, limit ?? -1);
                await ProblemWriter.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, DatabackerProblemTypes.PayloadTooLarge,
                    limit is { } l ? $"The request body exceeds the limit of {l} bytes for this operation." : "The request body is too large.",
                    limit is { } value ? new Dictionary<string, object?> { ["limit"] = value } : null).ConfigureAwait(false);
            }
            else
            {
                var status = exception.StatusCode is >= 400 and < 500 ? exception.StatusCode : StatusCodes.Status400BadRequest;
                await ProblemWriter.WriteAsync(context, status, ProblemWriter.TypeForStatus(status), "The request could not be read.").ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (reading its body may fail with an IOException as well as a cancellation): there is
            // nobody to answer, and nothing went wrong on this side.
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            ServerLog.UnhandledException(logger, exception, context.Request.Method, context.Request.Path);
            if (context.RequestAborted.IsCancellationRequested)
            {
                return; // logged; the client is gone, so there is nobody to answer
            }

            context.Response.Clear();
            await ProblemWriter.WriteAsync(context, StatusCodes.Status500InternalServerError, DatabackerProblemTypes.InternalError, null).ConfigureAwait(false);
        }
    }
}
