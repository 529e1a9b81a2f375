// The whole story in one command: starts the reference controller on a free loopback port with a temporary data
// directory, generates an instance key, registers the instance, gives it a configuration, runs the agent once, then
// reads the run back through the administration API and prints a short report. Everything it starts is stopped and
// everything it writes is deleted when it ends, also on failure or Ctrl+C.
using Databacker.Samples;
using Databacker.Samples.Demo;
using Databacker.Samples.Hosting;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var verbose = args.Contains("--verbose");
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("usage: dotnet run --project samples/Databacker.Samples.Demo [-- --verbose] [--keep]");
    Console.WriteLine("  --verbose  also print the controller's output");
    Console.WriteLine("  --keep     keep the temporary directory (data, key, spool) for a look afterwards");
    return 0;
}

var work = Directory.CreateTempSubdirectory("databacker-demo-").FullName;
SampleController? controller = null;

// A SIGTERM or a closed terminal skips the finally below; the controller must not outlive the demo anyway.
AppDomain.CurrentDomain.ProcessExit += (_, _) => controller?.Stop();
try
{
    return await DemoStory.RunAsync(work, verbose, c => controller = c, cancel.Token);
}
catch (Exception error)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine(cancel.IsCancellationRequested ? "demo cancelled" : $"demo failed: {error.Message}");
    if (controller?.CurrentProcess is { } process && !verbose)
    {
        Console.Error.WriteLine("controller output (last lines):");
        foreach (var line in process.Output.TakeLast(20))
        {
            Console.Error.WriteLine("  controller | " + line);
        }
    }

    return 1;
}
finally
{
    controller?.Dispose();
    if (args.Contains("--keep"))
    {
        Console.WriteLine($"kept {work}");
    }
    else
    {
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the OS cleans the temp directory eventually.
        }
    }
}
