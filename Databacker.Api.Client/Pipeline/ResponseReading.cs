using System.Buffers;

namespace Databacker.Api.Client.Pipeline;

/// <summary>Reads a response body into memory within a deadline, up to a bound.</summary>
internal static class ResponseReading
{
    /// <summary>
    /// Reads <paramref name="response"/>'s body into memory, so that its reader never waits on the network. A body with
    /// an announced length (at most <paramref name="limit"/>, as the caller checked) is buffered as it is; one without
    /// is read up to <paramref name="limit"/> and, when longer, handed on as the part read followed by the rest of the
    /// stream, read as it comes (never an error for its size).
    /// </summary>
    public static async Task ReadWholeAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        var content = response.Content;
        if (content.Headers.ContentLength is not null)
        {
            await content.LoadIntoBufferAsync(limit, cancellationToken).ConfigureAwait(false);
            return;
        }

        var source = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                var read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    response.Content = WithHeadersOf(content, new ByteArrayContent(buffer.GetBuffer(), 0, (int)buffer.Length));
                    content.Dispose();
                    return;
                }

                buffer.Write(chunk, 0, read);
                if (buffer.Length > limit)
                {
                    buffer.Position = 0;
                    response.Content = WithHeadersOf(content, new StreamContent(new ConcatenatedStream(buffer, source)));
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static HttpContent WithHeadersOf(HttpContent original, HttpContent replacement)
    {
        foreach (var header in original.Headers.NonValidated)
        {
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                replacement.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return replacement;
    }

    // The part already read, then the rest of the network stream.
    private sealed class ConcatenatedStream(Stream first, Stream rest) : ReadOnlyStream
    {
        private bool _firstDone;

        public override int Read(Span<byte> buffer)
        {
            if (!_firstDone)
            {
                var read = first.Read(buffer);
                if (read > 0 || buffer.IsEmpty)
                {
                    return read;
                }

                _firstDone = true;
            }

            return rest.Read(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_firstDone)
            {
                var read = first.Read(buffer.Span);
                if (read > 0 || buffer.IsEmpty)
                {
                    return read;
                }

                _firstDone = true;
            }

            return await rest.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                first.Dispose();
                rest.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
