using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Databacker.Api.LoadServer;

/// <summary>
/// The api's own 200 (bytes, <c>Content-Type</c>, <c>ETag</c>, <c>Vary</c>), captured once at start, written as is by
/// the bare endpoint and by the reference endpoints (<c>--reference</c> in server-throughput.sh).
/// </summary>
public sealed class ReferenceResponse
{
    private byte[] _body = [];
    private StringValues _contentType;
    private StringValues _entityTag;
    private static readonly StringValues Vary = new("Accept");

    /// <summary>The body's length.</summary>
    public int Length => _body.Length;

    /// <summary>Remembers the response to write.</summary>
    public void Set(byte[] body, string contentType, string entityTag)
    {
        _body = body;
        _contentType = new StringValues(contentType);
        _entityTag = new StringValues(entityTag);
    }

    /// <summary>Writes the response.</summary>
    public Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = _contentType;
        response.ContentLength = _body.Length;
        response.Headers.ETag = _entityTag;
        response.Headers.Vary = Vary;
        return response.Body.WriteAsync(_body, context.RequestAborted).AsTask();
    }
}
