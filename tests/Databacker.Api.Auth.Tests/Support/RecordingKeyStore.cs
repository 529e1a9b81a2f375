using System.Collections.Concurrent;
using Databacker.Api.Auth.Validation;

namespace Databacker.Api.Auth.Tests.Support;

/// <summary>A key store that remembers every instance id it was asked about.</summary>
internal sealed class RecordingKeyStore : IInstanceKeyStore
{
    private readonly Dictionary<string, List<RegisteredInstanceKey>> _keys = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Requests { get; } = new();

    public void Register(string instanceId, RegisteredInstanceKey key)
    {
        if (!_keys.TryGetValue(instanceId, out var list))
        {
            _keys[instanceId] = list = [];
        }

        list.Add(key);
    }

    public ValueTask<IReadOnlyList<RegisteredInstanceKey>> GetKeysAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        Requests.Enqueue(instanceId);
        return ValueTask.FromResult<IReadOnlyList<RegisteredInstanceKey>>(_keys.TryGetValue(instanceId, out var list) ? list : []);
    }
}
