using System.Buffers;
using Newtonsoft.Json;

namespace Databacker.Api.Client.Pipeline;

/// <summary>
/// Lends Json.NET's readers their character buffers from <see cref="ArrayPool{T}.Shared"/>, so reading a response
/// does not allocate a new buffer per call (used by the generated clients' <c>ReadObjectResponseAsync</c>).
/// </summary>
internal sealed class JsonCharBufferPool : IArrayPool<char>
{
    /// <summary>The one instance; stateless.</summary>
    public static readonly JsonCharBufferPool Instance = new();

    private JsonCharBufferPool()
    {
    }

    /// <inheritdoc />
    public char[] Rent(int minimumLength) => ArrayPool<char>.Shared.Rent(minimumLength);

    /// <inheritdoc />
    public void Return(char[]? array)
    {
        if (array is not null)
        {
            ArrayPool<char>.Shared.Return(array);
        }
    }
}
