using Databacker.Api.Client.Authentication;

namespace Databacker.Api.Client.Tests.Support;

internal sealed class FakeAssertions : IClientAssertionProvider
{
    private int _count;

    public List<string> Audiences { get; } = [];

    public int Count => Volatile.Read(ref _count);

    public ValueTask<string> CreateAssertionAsync(string audience, CancellationToken cancellationToken)
    {
        lock (Audiences)
        {
            Audiences.Add(audience);
        }

        return ValueTask.FromResult($"assertion-{Interlocked.Increment(ref _count)}");
    }
}
