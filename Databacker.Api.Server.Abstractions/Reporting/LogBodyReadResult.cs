using Databacker.Api.Contracts;

namespace Databacker.Api.Server.Reporting;

/// <summary>The outcome of reading an NDJSON log body: every line, or the first error and no lines.</summary>
public sealed class LogBodyReadResult
{
    private LogBodyReadResult(IReadOnlyList<LogEntry> entries, LogBodyError? error)
    {
        Entries = entries;
        Error = error;
    }

    /// <summary>The lines, in body order; empty when <see cref="Error"/> is set.</summary>
    public IReadOnlyList<LogEntry> Entries { get; }

    /// <summary>Why the body was refused, or <see langword="null"/>.</summary>
    public LogBodyError? Error { get; }

    /// <summary>Whether every line was valid.</summary>
    public bool Succeeded => Error is null;

    internal static LogBodyReadResult Success(IReadOnlyList<LogEntry> entries) => new(entries, null);

    internal static LogBodyReadResult Failure(LogBodyError error) => new([], error);
}
