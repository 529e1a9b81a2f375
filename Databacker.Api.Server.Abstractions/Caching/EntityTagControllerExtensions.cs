using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Databacker.Api.Server.Caching;

/// <summary>Conditional GET for documents such as an instance's configuration: ETag on every 200, 304 when the client's copy is current.</summary>
public static class EntityTagControllerExtensions
{
    /// <summary>
    /// Answers with the document and its strong <see cref="CanonicalEntityTag"/>, or 304 without a body when the
    /// request's <c>If-None-Match</c> matches.
    /// </summary>
    /// <typeparam name="T">The document type.</typeparam>
    /// <param name="controller">The controller.</param>
    /// <param name="document">The current document.</param>
    /// <returns>200 with the document and <c>ETag</c>, or 304 with <c>ETag</c>.</returns>
    public static ActionResult<T> OkWithEntityTag<T>(this ControllerBase controller, T document)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(document);
        var entityTag = CanonicalEntityTag.Compute(document);
        controller.Response.Headers.ETag = entityTag;
        if (CanonicalEntityTag.MatchesIfNoneMatch(controller.Request.Headers.IfNoneMatch.ToString(), entityTag))
        {
            return controller.StatusCode(StatusCodes.Status304NotModified);
        }

        return controller.Ok(document);
    }
}
