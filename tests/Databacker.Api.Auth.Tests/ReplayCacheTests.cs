using Databacker.Api.Auth.Replay;
using Databacker.Api.Auth.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Databacker.Api.Auth.Tests;

[TestFixture]
public sealed class ReplayCacheTests
{
    private readonly DateTimeOffset _start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task In_memory_cache_accepts_a_pair_once()
    {
        var cache = new InMemoryReplayCache(new FakeTimeProvider(_start));

        Assert.That(await cache.TryAddAsync("a", "j1", _start.AddMinutes(1)), Is.True);
        Assert.That(await cache.TryAddAsync("a", "j1", _start.AddMinutes(1)), Is.False);
        Assert.That(await cache.TryAddAsync("b", "j1", _start.AddMinutes(1)), Is.True);
    }

    [Test]
    public async Task In_memory_cache_forgets_a_pair_after_it_expires()
    {
        var time = new FakeTimeProvider(_start);
        var cache = new InMemoryReplayCache(time);
        await cache.TryAddAsync("a", "j1", _start.AddSeconds(90));

        time.Advance(TimeSpan.FromSeconds(89));
        Assert.That(await cache.TryAddAsync("a", "j1", _start.AddSeconds(200)), Is.False);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(await cache.TryAddAsync("a", "j1", _start.AddSeconds(200)), Is.True);
    }

    [Test]
    public async Task In_memory_cache_purges_expired_entries()
    {
        var time = new FakeTimeProvider(_start);
        var cache = new InMemoryReplayCache(time);
        for (var i = 0; i < 100; i++)
        {
            await cache.TryAddAsync("a", $"j{i}", _start.AddSeconds(60));
        }

        time.Advance(TimeSpan.FromMinutes(5));
        await cache.TryAddAsync("a", "new", _start.AddMinutes(6));

        Assert.That(cache.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task In_memory_cache_admits_exactly_one_of_many_concurrent_adds()
    {
        var cache = new InMemoryReplayCache(new FakeTimeProvider(_start));

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () => await cache.TryAddAsync("a", "same", _start.AddMinutes(1)))));

        Assert.That(results.Count(r => r), Is.EqualTo(1));
    }

    [Test]
    public async Task In_memory_cache_admits_exactly_one_concurrent_replacement_of_an_expired_entry()
    {
        var time = new FakeTimeProvider(_start);
        var cache = new InMemoryReplayCache(time);
        await cache.TryAddAsync("a", "same", _start.AddSeconds(1));
        time.Advance(TimeSpan.FromSeconds(2));

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () => await cache.TryAddAsync("a", "same", _start.AddMinutes(1)))));

        Assert.That(results.Count(r => r), Is.EqualTo(1));
    }

    [Test]
    public async Task Distributed_cache_accepts_a_pair_once_and_sets_its_expiry()
    {
        var store = new FakeDistributedCache();
        var cache = new DistributedReplayCache(store, timeProvider: new FakeTimeProvider(_start));

        Assert.That(await cache.TryAddAsync("a", "j1", _start.AddSeconds(90)), Is.True);
        Assert.That(await cache.TryAddAsync("a", "j1", _start.AddSeconds(90)), Is.False);
        Assert.That(await cache.TryAddAsync("b", "j1", _start.AddSeconds(90)), Is.True);

        Assert.That(store.Entries.Values.Select(e => e.Options.AbsoluteExpirationRelativeToNow), Is.All.EqualTo(TimeSpan.FromSeconds(90)));
    }

    [Test]
    public async Task Distributed_cache_keys_do_not_collide_across_the_separator()
    {
        var store = new FakeDistributedCache();
        var cache = new DistributedReplayCache(store, timeProvider: new FakeTimeProvider(_start));

        Assert.That(await cache.TryAddAsync("a:b", "c", _start.AddSeconds(90)), Is.True);
        Assert.That(await cache.TryAddAsync("a", "b:c", _start.AddSeconds(90)), Is.True);
        Assert.That(await cache.TryAddAsync("a:b\n", "c", _start.AddSeconds(90)), Is.True);
        Assert.That(store.Entries.Keys, Has.All.StartWith("databacker:auth:jti:"));
    }
}
