namespace Databacker.Api.Server.Reporting;

/// <summary>Why an NDJSON log body was refused; nothing of it is stored.</summary>
/// <param name="Line">The 1-based number of the first bad line, or 0 when the body as a whole is the problem.</param>
/// <param name="Reason">What is wrong, safe to show to the client.</param>
/// <param name="TooLarge">Whether the body or a line exceeds a size limit (answer 413 rather than 400).</param>
public sealed record LogBodyError(long Line, string Reason, bool TooLarge)
{
    /// <summary>The limit in bytes a too-large body or line exceeded, when it was one of bytes (a problem's <c>limit</c> member).</summary>
    public long? LimitBytes { get; init; }
}
