using BenchmarkDotNet.Running;
using Databacker.Api.Benchmarks.TokenEconomy;

// `--token-economy` prints the token-economy report (counts, not times); `--interleaved` compares the client calls
// taking turns call by call; `--pipeline-breakdown` builds the SDK's pipeline up handler by handler; `--handler-costs` does the same in memory (ns and bytes per call); anything else goes to BenchmarkDotNet (`--filter '*'` runs every benchmark).
if (args.Contains("--token-economy"))
{
    var result = await TokenEconomyRun.RunAsync(new TokenEconomySettings()).ConfigureAwait(false);
    Console.WriteLine(result.ToReport());
    return result.IsExact ? 0 : 1;
}

if (args.Contains("--interleaved"))
{
    Console.WriteLine(await Databacker.Api.Benchmarks.ClientCalls.InterleavedClientCalls.RunAsync().ConfigureAwait(false));
    return 0;
}

if (args.Contains("--pipeline-breakdown"))
{
    Console.WriteLine(await Databacker.Api.Benchmarks.ClientCalls.PipelineBreakdown.RunAsync().ConfigureAwait(false));
    return 0;
}

if (args.Contains("--handler-costs"))
{
    Console.WriteLine(await Databacker.Api.Benchmarks.ClientCalls.HandlerCosts.RunAsync().ConfigureAwait(false));
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Databacker.Api.Benchmarks.BenchmarkJobs).Assembly).Run(args);
return 0;
