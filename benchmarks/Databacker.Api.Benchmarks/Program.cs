using BenchmarkDotNet.Running;
using Databacker.Api.Benchmarks.TokenEconomy;

// `--token-economy` prints the token-economy report (counts, not times); anything else goes to BenchmarkDotNet
// (`--filter '*'` runs every benchmark, `--list flat` lists them).
if (args.Contains("--token-economy"))
{
    var result = await TokenEconomyRun.RunAsync(new TokenEconomySettings()).ConfigureAwait(false);
    Console.WriteLine(result.ToReport());
    return result.IsExact ? 0 : 1;
}

BenchmarkSwitcher.FromAssembly(typeof(Databacker.Api.Benchmarks.BenchmarkJobs).Assembly).Run(args);
return 0;
