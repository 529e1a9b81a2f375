using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Databacker.Api.Server.Caching;

/// <summary>
/// The 200 of <see cref="EntityTagControllerExtensions.OkWithEntityTag{T}(ControllerBase, T, string)"/>: written by MVC
/// like any <see cref="OkObjectResult"/> the first time, and from the bytes MVC wrote (and the <c>Content-Type</c> it
/// chose) while the same document object is answered again with the same strong ETag in the same negotiated media type.
/// </summary>
/// <remarks>
/// The bytes are remembered per document object (a <see cref="ConditionalWeakTable{TKey, TValue}"/>: they live exactly
/// as long as the implementer keeps the document, so the cache is bounded by what the store holds anyway) together with
/// the ETag and media type they were written for. A different object, a different ETag, another negotiated media type,
/// a representation converted to another version, a request naming charsets (<c>Accept-Charset</c>), or a result a
/// filter changed (content types, formatters, status) are all written by MVC as usual, and only UTF-8 bytes are kept. Two documents never share bytes, even when an implementer's ETags collide.
/// </remarks>
internal sealed class EntityTaggedObjectResult(object document, string entityTag) : OkObjectResult(document)
{
    /// <summary>The largest body remembered; larger documents are serialized every time.</summary>
    internal const int MaxCachedBytes = 256 * 1024;

    /// <summary>How many media types are remembered per document.</summary>
    private const int MaxEntriesPerDocument = 4;

    private static readonly ConditionalWeakTable<object, Entry[]> Cache = [];

    private readonly object _document = document;

    public override Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Only the plain case: the negotiation filter chose exactly one media type and nothing else touched the result.
        // A request naming charsets is written by MVC (whose formatter may honour them) and never remembered, so one
        // client's UTF-16 cannot become every later client's answer.
        if (!ReferenceEquals(Value, _document) || StatusCode != StatusCodes.Status200OK || ContentTypes.Count != 1
            || Formatters.Count != 0 || (DeclaredType is not null && DeclaredType != _document.GetType())
            || context.HttpContext.Request.Headers.ContainsKey(HeaderNames.AcceptCharset))
        {
            return base.ExecuteResultAsync(context);
        }

        var mediaType = ContentTypes[0];
        if (Cache.TryGetValue(_document, out var entries))
        {
            foreach (var entry in entries)
            {
                if (entry.EntityTag == entityTag && entry.MediaType == mediaType)
                {
                    return WriteAsync(context.HttpContext.Response, entry, context.HttpContext.RequestAborted);
                }
            }
        }

        return ExecuteAndRememberAsync(context, mediaType);
    }

    private async Task ExecuteAndRememberAsync(ActionContext context, string mediaType)
    {
        var response = context.HttpContext.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await base.ExecuteResultAsync(context).ConfigureAwait(false);
        }
        finally
        {
            response.Body = original;
        }

        var bytes = buffer.ToArray();
        if (response.StatusCode == StatusCodes.Status200OK && response.ContentType is { } contentType && bytes.Length <= MaxCachedBytes
            && Negotiation.Charset.IsUtf8(contentType)) // only UTF-8, the one encoding every client of this API reads
        {
            var entry = new Entry(entityTag, mediaType, contentType, bytes);
            Cache.AddOrUpdate(_document, Cache.TryGetValue(_document, out var entries) ? With(entries, entry) : [entry]);
        }

        response.ContentLength = bytes.Length;
        await original.WriteAsync(bytes, context.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    private static Task WriteAsync(HttpResponse response, Entry entry, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = entry.ContentType;
        response.ContentLength = entry.Bytes.Length;
        return response.Body.WriteAsync(entry.Bytes, cancellationToken).AsTask();
    }

    // Replaces the entry for the same media type (the document's ETag changed) or adds one, dropping the oldest.
    private static Entry[] With(Entry[] entries, Entry entry)
    {
        var kept = new List<Entry>(entries.Length + 1) { entry };
        foreach (var existing in entries)
        {
            if (existing.MediaType != entry.MediaType && kept.Count < MaxEntriesPerDocument)
            {
                kept.Add(existing);
            }
        }

        return [.. kept];
    }

    private sealed record Entry(string EntityTag, string MediaType, string ContentType, byte[] Bytes);
}
