namespace Databacker.Samples.Agent;

/// <summary>A failure the agent explains in one line, without a stack trace.</summary>
/// <param name="message">The line to print.</param>
/// <param name="inner">The cause, if any.</param>
/// <param name="final">Whether trying again later cannot help (serve stops instead of waiting).</param>
internal sealed class CommandFailure(string message, Exception? inner = null, bool final = false) : Exception(message, inner)
{
    public bool Final { get; } = final;
}
