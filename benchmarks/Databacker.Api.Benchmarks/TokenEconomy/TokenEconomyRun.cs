using Databacker.Api.Auth.Keys;
using Databacker.Api.Benchmarks.ClientCalls;
using Databacker.Api.Client;
using Databacker.Api.Client.Authentication;
using Databacker.Api.Client.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Databacker.Api.Benchmarks.TokenEconomy;

/// <summary>
/// Issue 8, item 2: many concurrent callers of the SDK over several token lifetimes on a fake clock, counting the
/// token requests the server answers and the client assertions the SDK signs. Counts, not times: the expected result
/// is exactly one token request (and one signature) per lifetime, whatever the number of callers and calls.
/// </summary>
public static class TokenEconomyRun
{
    /// <summary>Runs the scenario against a fresh <see cref="ConfigServer"/>.</summary>
    /// <param name="settings">The run's shape.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static async Task<TokenEconomyResult> RunAsync(TokenEconomySettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var server = await ConfigServer.StartAsync(settings.TokenLifetimeSeconds, recordTokens: true).ConfigureAwait(false);
        using var key = EcdsaKey.Generate();
        using var keySource = new PemStringKeySource(key.ExportPkcs8PrivateKeyPem());
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));
        var assertions = new CountingAssertionProvider(
            new InstanceKeyAssertionProvider(keySource, ConfigServer.InstanceId, timeProvider: time));

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IClientAssertionProvider>(assertions);   // AddDatabackerClient keeps a registered one
        services.AddDatabackerClient(o =>
        {
            o.Controller = server.BaseAddress;
            o.InstanceId = ConfigServer.InstanceId;
            o.KeySource = keySource;
        });
        await using var provider = services.BuildServiceProvider();

        var lifetime = TimeSpan.FromSeconds(settings.TokenLifetimeSeconds);
        var calls = 0;
        var tokensSeen = new List<int>();
        for (var l = 0; l < settings.Lifetimes; l++)
        {
            var start = time.GetUtcNow();
            foreach (var checkpoint in settings.Checkpoints)
            {
                var at = start + (lifetime * checkpoint);
                if (at > time.GetUtcNow())
                {
                    time.SetUtcNow(at);
                }

                // All callers start together; each resolves its own typed client, as code in a host would.
                using var go = new ManualResetEventSlim(false);
                var callers = Enumerable.Range(0, settings.Callers).Select(_ => Task.Run(async () =>
                {
                    var client = provider.GetRequiredService<IOrchestrationClient>();
                    go.Wait(cancellationToken);
                    for (var i = 0; i < settings.CallsPerCheckpoint; i++)
                    {
                        var response = await client.GetConfigAsync(ConfigServer.InstanceId, cancellationToken: cancellationToken).ConfigureAwait(false);
                        if (response.StatusCode != 200 || response.Result is null)
                        {
                            throw new InvalidOperationException($"A call answered {response.StatusCode}.");
                        }
                    }
                }, cancellationToken)).ToArray();
                go.Set();
                await Task.WhenAll(callers).ConfigureAwait(false);
                calls += settings.Callers * settings.CallsPerCheckpoint;
            }

            tokensSeen.Add(server.TakeTokensSeen().Count);

            // Past the token's expiry: the next lifetime starts with every caller needing a new token at once.
            time.SetUtcNow(start + lifetime + TimeSpan.FromSeconds(1));
        }

        return new TokenEconomyResult(settings, calls, server.ConfigRequests, server.TokenRequests, assertions.Signed, tokensSeen);
    }
}
