using Microsoft.Extensions.Logging;

namespace Databacker.Samples.Agent;

/// <summary>Prints the library's warnings (e.g. a damaged spool tail skipped) on standard error for the operator.</summary>
internal sealed class StderrLogger<T> : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine($"warning: {formatter(state, exception)}");
        }
    }
}
