namespace Databacker.Api.Client.Tests.Support;

/// <summary>A body of `length` bytes, `start` followed by spaces, with no length announced (as a chunked answer); counts what was read.</summary>
internal sealed class CountingStream(string start, long length) : TestReadStream
{
    private readonly byte[] _start = System.Text.Encoding.UTF8.GetBytes(start);

    public long BytesRead { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, Math.Max(0, Math.Max(length, _start.Length) - BytesRead));
        for (var i = 0; i < n; i++)
        {
            var at = BytesRead + i;
            buffer[offset + i] = at < _start.Length ? _start[at] : (byte)' ';
        }

        BytesRead += n;
        return n;
    }
}

/// <summary>A read-only, forward-only test body: subclasses implement the reads.</summary>
internal abstract class TestReadStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Answers every request with a fresh response from `answer`.</summary>
internal sealed class AnswerHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    public AnswerHandler(Func<HttpResponseMessage> answer)
        : this(_ => answer())
    {
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = answer(request);
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}
