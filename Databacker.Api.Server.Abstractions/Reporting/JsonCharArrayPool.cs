using System.Buffers;
using Newtonsoft.Json;

namespace Databacker.Api.Server.Reporting;

/// <summary>Lets Json.NET rent its read buffers from the shared pool instead of allocating them for every line.</summary>
internal sealed class JsonCharArrayPool : IArrayPool<char>
{
    public static readonly JsonCharArrayPool Shared = new();

    public char[] Rent(int minimumLength) => ArrayPool<char>.Shared.Rent(minimumLength);

    public void Return(char[]? array)
    {
        if (array is not null)
        {
            ArrayPool<char>.Shared.Return(array);
        }
    }
}
