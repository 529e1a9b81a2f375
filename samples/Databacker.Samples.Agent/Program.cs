// The sample databacker agent: keygen, register, run, serve. Every command has --help; failures print one line on stderr
// and exit non-zero (1 = the command failed, 2 = the arguments were wrong).
using System.CommandLine;
using Databacker.Samples.Agent;

var root = new RootCommand("A sample databacker agent: generates its key, registers with a controller and runs simulated backups with real reporting.")
{
    KeygenCommand.Create(),
    RegisterCommand.Create(),
    RunCommand.Create(),
    ServeCommand.Create(),
};

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine("Run with --help for usage.");
    return ExitCodes.Usage;
}

return await parsed.InvokeAsync(cancellationToken: cancel.Token);
