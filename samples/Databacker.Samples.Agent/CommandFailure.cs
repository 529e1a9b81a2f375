namespace Databacker.Samples.Agent;

/// <summary>A failure the agent explains in one line, without a stack trace.</summary>
internal sealed class CommandFailure(string message, Exception? inner = null) : Exception(message, inner);
