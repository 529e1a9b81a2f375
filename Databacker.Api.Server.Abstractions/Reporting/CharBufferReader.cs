namespace Databacker.Api.Server.Reporting;

/// <summary>
/// A <see cref="TextReader"/> over a reused character buffer, so each NDJSON line is parsed from the decoded buffer
/// without a string and a <see cref="StringReader"/> per line.
/// </summary>
internal sealed class CharBufferReader : TextReader
{
    private char[] _buffer = [];
    private int _length;
    private int _position;

    public void Reset(char[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
        _position = 0;
    }

    public override int Peek() => _position < _length ? _buffer[_position] : -1;

    public override int Read() => _position < _length ? _buffer[_position++] : -1;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        var n = Math.Min(buffer.Length, _length - _position);
        _buffer.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    // The reader is reused for every line; disposing it (as JsonTextReader does) must not end it.
    protected override void Dispose(bool disposing)
    {
    }
}
