namespace Databacker.Api.Client.Pipeline;

/// <summary>
/// The body of an error response (any status but 2xx), cut off after <see cref="MaxBytes"/>: the generated clients read
/// an error body whole (into the exception's text, or to parse a problem), and a server, or a foreign origin a redirect
/// led to, must not make the client hold an endless one. The status, the headers and the first megabyte, which is all
/// an error ever needs, are kept.
/// </summary>
internal sealed class BoundedErrorContent : HttpContent
{
    /// <summary>The most bytes of an error body the client reads.</summary>
    public const int MaxBytes = 1024 * 1024;

    private readonly HttpContent _inner;

    public BoundedErrorContent(HttpContent inner)
    {
        _inner = inner;
        foreach (var header in inner.Headers.NonValidated)
        {
            // The length is the one this content can deliver (TryComputeLength), not the one announced.
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None).ConfigureAwait(false);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        await using var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new LimitedStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), MaxBytes);

    protected override bool TryComputeLength(out long length)
    {
        if (_inner.Headers.ContentLength is { } announced && announced <= MaxBytes)
        {
            length = announced;
            return true;
        }

        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    // Reads the inner stream up to a limit, then ends.
    private sealed class LimitedStream(Stream inner, long limit) : ReadOnlyStream
    {
        private long _left = limit;

        public override int Read(Span<byte> buffer)
        {
            if (_left <= 0)
            {
                return 0;
            }

            var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left <= 0)
            {
                return 0;
            }

            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken).ConfigureAwait(false);
            _left -= read;
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
