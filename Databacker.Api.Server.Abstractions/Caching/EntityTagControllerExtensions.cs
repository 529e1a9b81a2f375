using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Databacker.Api.Server.Negotiation;
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
    /// <returns>200 with the document and <c>ETag</c>, or 304 with <c>ETag</c>. A representation converted to another
    /// version carries its own tag: the document's with the version appended (e.g. <c>"abc+v2"</c>).</returns>
    public static ActionResult<T> OkWithEntityTag<T>(this ControllerBase controller, T document)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(document);
        var entityTag = RepresentationTag(controller, CanonicalEntityTag.Compute(document));
        controller.Response.Headers.ETag = entityTag;
        if (CanonicalEntityTag.MatchesIfNoneMatch(controller.Request.Headers.IfNoneMatch.ToString(), entityTag))
        {
            return controller.StatusCode(StatusCodes.Status304NotModified);
        }

        return new EntityTaggedObjectResult(document, entityTag);
    }

    /// <summary>
    /// Answers with the document and an ETag the caller already has — typically <see cref="CanonicalEntityTag.Compute"/>
    /// stored with the document when it was written — or 304 without a body when the request's <c>If-None-Match</c>
    /// matches. Nothing is serialized for a 304, so prefer this overload on hot paths.
    /// </summary>
    /// <remarks>
    /// The bytes of a 200 are remembered with the document object, the ETag and the negotiated media type, so answering
    /// the same document object again with the same ETag writes them without serializing (a store that keeps its
    /// documents in memory gets this for free). Pass the ETag of exactly this document: change the ETag whenever the
    /// document changes — a stale ETag is already wrong for <c>If-None-Match</c> — or pass a new object.
    /// </remarks>
    /// <typeparam name="T">The document type.</typeparam>
    /// <param name="controller">The controller.</param>
    /// <param name="document">The current document.</param>
    /// <param name="entityTag">The document's strong ETag, quoted, e.g. from <see cref="CanonicalEntityTag.Compute"/>.</param>
    /// <returns>200 with the document and <c>ETag</c>, or 304 with <c>ETag</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="entityTag"/> is not a quoted strong entity tag.</exception>
    public static ActionResult<T> OkWithEntityTag<T>(this ControllerBase controller, T document, string entityTag)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentException.ThrowIfNullOrEmpty(entityTag);
        if (entityTag.Length < 2 || entityTag[0] != '"' || entityTag[^1] != '"')
        {
            throw new ArgumentException("A strong entity tag is quoted, e.g. \"abc\".", nameof(entityTag));
        }

        entityTag = RepresentationTag(controller, entityTag);
        controller.Response.Headers.ETag = entityTag;
        if (CanonicalEntityTag.MatchesIfNoneMatch(controller.Request.Headers.IfNoneMatch.ToString(), entityTag))
        {
            return controller.StatusCode(StatusCodes.Status304NotModified);
        }

        return new EntityTaggedObjectResult(document, entityTag);
    }

    // A version converted from the document is another representation, so its strong ETag must differ from the
    // document's (RFC 9110, 8.8.3): otherwise a client holding the v1 body would be told 304 when asking for v2.
    // The document's tag with the version appended, e.g. "abc" → "abc+v2"; a media type without a version gets a
    // short stable hash of itself.
    private static string RepresentationTag(ControllerBase controller, string entityTag)
    {
        if (controller.HttpContext.Features.Get<NegotiatedMediaTypes>() is not { ResponseConverter: not null, Response: { } mediaType } negotiated)
        {
            return entityTag;
        }

        var suffix = negotiated.ResponseVersion is { } version
            ? "v" + version.ToString(CultureInfo.InvariantCulture)
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(mediaType)).AsSpan(0, 4));
        return string.Concat(entityTag.AsSpan(0, entityTag.Length - 1), "+", suffix, "\"");
    }
}
