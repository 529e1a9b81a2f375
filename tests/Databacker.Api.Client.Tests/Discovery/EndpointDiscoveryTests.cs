using Databacker.Api.Client.Discovery;
using Databacker.Api.Client.Routing;
using Databacker.Api.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace Databacker.Api.Client.Tests.Discovery;

[TestFixture]
public sealed class EndpointDiscoveryTests
{
    private sealed class CountingClient(Func<int, Endpoints> answer) : IOrchestrationClient
    {
        public int Calls;

        public Task<ApiResponse<ConfigDocument>> GetConfigAsync(string instance, string? if_None_Match = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<Endpoints> GetEndpointsAsync(string instance, CancellationToken cancellationToken = default) =>
            Task.FromResult(answer(Interlocked.Increment(ref Calls)));
    }

    /// <summary>A controller whose discovery answers wait for the test: each fetch takes the next gate's outcome.</summary>
    private sealed class GatedClient : IOrchestrationClient
    {
        public int Calls;

        public TaskCompletionSource<Endpoints> Gate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<ApiResponse<ConfigDocument>> GetConfigAsync(string instance, string? if_None_Match = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public async Task<Endpoints> GetEndpointsAsync(string instance, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            Called.TrySetResult();
            return await Gate.Task.WaitAsync(cancellationToken);
        }
    }

    [Test]
    public async Task Concurrent_callers_share_one_fetch_and_its_failure()
    {
        var client = new GatedClient();
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry());

        var callers = Enumerable.Range(0, 8).Select(_ => discovery.GetAsync()).ToArray();
        await client.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        client.Gate.SetException(new HttpRequestException("controller down"));

        foreach (var caller in callers)
        {
            Assert.ThrowsAsync<HttpRequestException>(() => caller);
        }

        Assert.That(client.Calls, Is.EqualTo(1), "one fetch for every concurrent caller, also when it fails");
    }

    [Test]
    public async Task A_refresh_does_not_settle_for_a_fetch_begun_before_it_was_asked_for()
    {
        var client = new GatedClient();
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry());
        var first = client.Gate;
        var getting = discovery.GetAsync();
        await client.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var second = new TaskCompletionSource<Endpoints>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Gate = second;
        var refreshing = discovery.RefreshAsync();
        first.SetResult(Document(60, "https://old.example.com/"));
        Assert.That((await getting).Document.ReportingUrl, Is.EqualTo(new Uri("https://old.example.com/")));
        second.SetResult(Document(60, "https://new.example.com/"));

        Assert.That((await refreshing).Document.ReportingUrl, Is.EqualTo(new Uri("https://new.example.com/")));
        Assert.That(client.Calls, Is.EqualTo(2));
    }

    [Test]
    public async Task A_burst_of_refreshes_after_the_same_document_costs_one_fetch()
    {
        var client = new GatedClient();
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry());
        client.Gate.SetResult(Document(60, "https://old.example.com/"));
        var seen = await discovery.GetAsync();
        client.Gate = new TaskCompletionSource<Endpoints>(TaskCreationOptions.RunContinuationsAsynchronously);

        var refreshes = Enumerable.Range(0, 10).Select(_ => discovery.RefreshAfterAsync(seen, CancellationToken.None)).ToArray();
        client.Gate.SetResult(Document(60, "https://new.example.com/"));
        var later = await discovery.RefreshAfterAsync(seen, CancellationToken.None);

        foreach (var refresh in refreshes)
        {
            Assert.That((await refresh).Document.ReportingUrl, Is.EqualTo(new Uri("https://new.example.com/")));
        }

        Assert.That(later.Document.ReportingUrl, Is.EqualTo(new Uri("https://new.example.com/")), "a newer document is there already");
        Assert.That(client.Calls, Is.EqualTo(2), "the first document, and one refresh for the whole burst");
    }

    [Test]
    public async Task An_older_fetch_ending_after_a_newer_one_does_not_replace_its_document()
    {
        var client = new GatedClient();
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry());
        var slow = client.Gate;
        var getting = discovery.GetAsync();
        await client.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var fast = new TaskCompletionSource<Endpoints>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Gate = fast;
        var refreshing = discovery.RefreshAsync();

        fast.SetResult(Document(60, "https://new.example.com/"));
        await refreshing;
        slow.SetResult(Document(60, "https://old.example.com/"));
        var late = await getting;

        Assert.That(late.Document.ReportingUrl, Is.EqualTo(new Uri("https://new.example.com/")), "the late fetch's waiters get the newer document");
        Assert.That((await discovery.GetAsync()).Document.ReportingUrl, Is.EqualTo(new Uri("https://new.example.com/")));
        Assert.That(client.Calls, Is.EqualTo(2));
    }

    [Test]
    public async Task Invalidating_while_a_fetch_is_under_way_makes_its_document_arrive_stale()
    {
        var client = new GatedClient();
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry());
        var first = client.Gate;
        var getting = discovery.GetAsync();
        await client.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));

        discovery.Invalidate();
        client.Gate = new TaskCompletionSource<Endpoints>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Gate.SetResult(Document(60, "https://after.example.com/"));
        first.SetResult(Document(60, "https://before.example.com/"));
        await getting;

        Assert.That((await discovery.GetAsync()).Document.ReportingUrl, Is.EqualTo(new Uri("https://after.example.com/")), "fetched again");
        Assert.That(client.Calls, Is.EqualTo(2));
    }

    [Test]
    public async Task Disposing_during_a_fetch_ends_every_wait_and_later_calls_are_refused()
    {
        var client = new GatedClient();
        var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry());
        var first = discovery.GetAsync();
        var second = discovery.GetAsync();
        await client.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));

        discovery.Dispose();

        Assert.CatchAsync<OperationCanceledException>(() => first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.CatchAsync<OperationCanceledException>(() => second.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.ThrowsAsync<ObjectDisposedException>(() => discovery.GetAsync());
    }

    [Test]
    public async Task After_a_slow_failed_refresh_the_previous_document_is_kept_for_the_minimum_lifetime_from_the_failure()
    {
        var time = new FakeTimeProvider();
        var fetches = 0;
        var client = new CountingClient(_ => Document(60));
        var slowFailing = new SlowFailingClient(time, TimeSpan.FromSeconds(10));
        using var discovery = new EndpointDiscovery(() => Interlocked.Increment(ref fetches) == 1 ? client : slowFailing, "i-1", new TrustedOriginRegistry(),
            new DiscoveryOptions { MinimumLifetime = TimeSpan.FromSeconds(5) }, time);
        var document = await discovery.GetAsync();
        time.Advance(TimeSpan.FromSeconds(61));

        Assert.That(await discovery.GetAsync(), Is.SameAs(document), "the refresh failed after 10 s: the previous document is served");
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.That(await discovery.GetAsync(), Is.SameAs(document), "and kept for 5 s from the failure, without another fetch");
        Assert.That(fetches, Is.EqualTo(2));
    }

    /// <summary>A discovery fetch that takes a while on the fake clock and then fails.</summary>
    private sealed class SlowFailingClient(FakeTimeProvider time, TimeSpan takes) : IOrchestrationClient
    {
        public Task<ApiResponse<ConfigDocument>> GetConfigAsync(string instance, string? if_None_Match = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<Endpoints> GetEndpointsAsync(string instance, CancellationToken cancellationToken = default)
        {
            time.Advance(takes);
            return Task.FromException<Endpoints>(new HttpRequestException("controller down"));
        }
    }

    private static Endpoints Document(int? expiresIn, string reporting = "https://reporting.example.com/") => new()
    {
        Services = [ServiceName.Reporting],
        OrchestrationUrl = new Uri("https://controller.example.com/"),
        ReportingUrl = new Uri(reporting),
        ExpiresIn = expiresIn,
    };

    [Test]
    public async Task The_document_is_cached_for_expiresIn_seconds_and_fetched_again_after()
    {
        var time = new FakeTimeProvider();
        var client = new CountingClient(_ => Document(60));
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry(), timeProvider: time);

        await discovery.GetAsync();
        time.Advance(TimeSpan.FromSeconds(59));
        await discovery.GetAsync();
        Assert.That(client.Calls, Is.EqualTo(1));

        time.Advance(TimeSpan.FromSeconds(2));
        await discovery.GetAsync();
        Assert.That(client.Calls, Is.EqualTo(2));
    }

    [Test]
    public async Task A_fresh_document_is_answered_at_once_with_the_same_completed_task_until_it_expires()
    {
        var time = new FakeTimeProvider();
        var client = new CountingClient(n => Document(60, $"https://reporting{n}.example.com/"));
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry(), timeProvider: time);
        var first = await discovery.GetAsync();

        var again = discovery.GetAsync();
        time.Advance(TimeSpan.FromSeconds(59));
        var later = discovery.GetAsync();

        Assert.Multiple(() =>
        {
            Assert.That(again.IsCompletedSuccessfully, Is.True, "no fetch, no wait");
            Assert.That(later, Is.SameAs(again), "nothing allocated per call while the document is fresh");
            Assert.That(again.Result, Is.SameAs(first));
        });

        time.Advance(TimeSpan.FromSeconds(2));
        var refreshed = await discovery.GetAsync();
        Assert.Multiple(() =>
        {
            Assert.That(refreshed, Is.Not.SameAs(first));
            Assert.That(refreshed.Document.ReportingUrl, Is.EqualTo(new Uri("https://reporting2.example.com/")));
            Assert.That(discovery.GetAsync().Result, Is.SameAs(refreshed), "the new document's task after a refresh");
        });
    }

    [Test]
    public async Task Without_expiresIn_the_default_lifetime_applies()
    {
        var time = new FakeTimeProvider();
        var client = new CountingClient(_ => Document(null));
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry(),
            new DiscoveryOptions { DefaultLifetime = TimeSpan.FromMinutes(10) }, time);

        var first = await discovery.GetAsync();

        Assert.That(first.ExpiresAt - first.FetchedAt, Is.EqualTo(TimeSpan.FromMinutes(10)));
    }

    [Test]
    public async Task Concurrent_callers_share_one_fetch()
    {
        var client = new CountingClient(_ => Document(60));
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry());

        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => discovery.GetAsync()));

        Assert.That(client.Calls, Is.EqualTo(1));
    }

    [Test]
    public async Task Invalidate_makes_the_next_call_fetch_again()
    {
        var client = new CountingClient(n => Document(600, $"https://reporting{n}.example.com/"));
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry());
        await discovery.GetAsync();

        discovery.Invalidate();
        var second = await discovery.GetAsync();

        Assert.That(second.Document.ReportingUrl, Is.EqualTo(new Uri("https://reporting2.example.com/")));
    }

    [Test]
    public async Task Https_origins_named_by_the_document_are_trusted_and_insecure_ones_are_not()
    {
        var trusted = new TrustedOriginRegistry();
        var document = Document(60);
        document.LogUrl = new Uri("http://logs.example.com/log");
        using var discovery = new EndpointDiscovery(() => new CountingClient(_ => document), "i-1", trusted);

        await discovery.GetAsync();

        Assert.Multiple(() =>
        {
            Assert.That(trusted.IsTrusted(new Uri("https://reporting.example.com/x")), Is.True);
            Assert.That(trusted.IsTrusted(new Uri("https://controller.example.com/")), Is.True);
            Assert.That(trusted.IsTrusted(new Uri("http://logs.example.com/log")), Is.False);
        });
    }

    [Test]
    public async Task A_failed_refresh_keeps_serving_the_previous_document()
    {
        var time = new FakeTimeProvider();
        var client = new CountingClient(n => n == 1 ? Document(1) : throw new HttpRequestException("down"));
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry(),
            new DiscoveryOptions { MinimumLifetime = TimeSpan.FromSeconds(1) }, time);
        var first = await discovery.GetAsync();

        time.Advance(TimeSpan.FromSeconds(5));
        var second = await discovery.GetAsync();

        Assert.That((second, client.Calls), Is.EqualTo((first, 2)));
    }

    [Test]
    public void A_failed_first_fetch_is_thrown()
    {
        var client = new CountingClient(_ => throw new HttpRequestException("down"));
        using var discovery = new EndpointDiscovery(() => client, "i-1", new TrustedOriginRegistry());

        Assert.ThrowsAsync<HttpRequestException>(() => discovery.GetAsync());
    }
}
