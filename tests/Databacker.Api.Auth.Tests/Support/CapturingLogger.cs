using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Databacker.Api.Auth.Tests.Support;

internal sealed class CapturingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Messages.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
}
