using Microsoft.AspNetCore.Http;

namespace Databacker.Api.Server.Errors;

/// <summary>Gives every bodiless error response (a bare 404 from an action, a 401 challenge, a 405 from routing) a problem details body.</summary>
internal sealed class StatusCodeProblemMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context).ConfigureAwait(false);
        var response = context.Response;
        if (response.HasStarted || response.StatusCode < 400 || response.ContentLength is not null || response.ContentType is not null
            || HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        var status = response.StatusCode;
        var detail = status switch
        {
            StatusCodes.Status401Unauthorized => "Present a valid bearer access token of the kind this operation requires.",
            StatusCodes.Status404NotFound => "The resource does not exist.",
            _ => null,
        };
        await ProblemWriter.WriteAsync(context, status, ProblemWriter.TypeForStatus(status), detail).ConfigureAwait(false);
    }
}
