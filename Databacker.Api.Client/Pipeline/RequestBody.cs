using System.Net;

namespace Databacker.Api.Client.Pipeline;

/// <summary>
/// The body of one logical call, captured once: small bodies are buffered and fresh content is built for every hop
/// and retry; streamed bodies are wrapped so the pipeline knows whether they were consumed and can still be sent.
/// </summary>
internal sealed class RequestBody
{
    private static readonly RequestBody None = new(null, null);

    private readonly BufferedBody? _buffered;
    private readonly ReplayGuardContent? _stream;

    private RequestBody(BufferedBody? buffered, ReplayGuardContent? stream)
    {
        _buffered = buffered;
        _stream = stream;
    }

    /// <summary>True when the body is a stream sent as is (with <c>Expect: 100-continue</c>).</summary>
    public bool IsStreamed => _stream is not null;

    /// <summary>True while fresh content can still be produced for another send.</summary>
    public bool CanReplay => _stream is null || !_stream.Started;

    /// <summary>Captures the body of <paramref name="request"/>, or returns the one captured by an outer handler.</summary>
    /// <remarks>Synchronous (no allocation) unless a body has to be buffered: every handler of every call asks.</remarks>
    public static ValueTask<RequestBody> CaptureAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(PipelineOptionKeys.Body, out var existing))
        {
            return ValueTask.FromResult(existing);
        }

        if (request.Content is null)
        {
            request.Options.Set(PipelineOptionKeys.Body, None);
            return ValueTask.FromResult(None);
        }

        return new ValueTask<RequestBody>(CaptureContentAsync(request, cancellationToken));
    }

    private static async Task<RequestBody> CaptureContentAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        RequestBody body;
        var content = request.Content!;
        if (content is StreamContent || content is ReplayGuardContent
            || (request.Options.TryGetValue(DatabackerRequestOptions.StreamBody, out var streamed) && streamed))
        {
            var guard = content as ReplayGuardContent ?? new ReplayGuardContent(content);
            request.Content = guard;
            body = new RequestBody(null, guard);
        }
        else
        {
            var bytes = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var headers = content.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToArray())).ToArray();
            body = new RequestBody(new BufferedBody(bytes, headers), null);
        }

        request.Options.Set(PipelineOptionKeys.Body, body);
        return body;
    }

    /// <summary>Content for one more send: a fresh copy, or the not-yet-consumed stream.</summary>
    /// <exception cref="InvalidOperationException">The stream was already consumed.</exception>
    public HttpContent? CreateContent()
    {
        if (_stream is not null)
        {
            if (_stream.Started)
            {
                throw new InvalidOperationException("The streamed request body was already sent and cannot be sent again.");
            }

            return _stream;
        }

        if (_buffered is null)
        {
            return null;
        }

        var content = new ByteArrayContent(_buffered.Bytes);
        foreach (var (name, values) in _buffered.Headers)
        {
            content.Headers.Remove(name);
            content.Headers.TryAddWithoutValidation(name, values);
        }

        return content;
    }

    private sealed record BufferedBody(byte[] Bytes, KeyValuePair<string, string[]>[] Headers);

    /// <summary>Wraps streamed content and records whether the transport started reading it.</summary>
    private sealed class ReplayGuardContent : HttpContent
    {
        private readonly HttpContent _inner;
        private int _started;

        public ReplayGuardContent(HttpContent inner)
        {
            _inner = inner;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        public bool Started => Volatile.Read(ref _started) != 0;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            Interlocked.Exchange(ref _started, 1);
            return _inner.CopyToAsync(stream, context, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _inner.Headers.ContentLength ?? -1;
            return length >= 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
