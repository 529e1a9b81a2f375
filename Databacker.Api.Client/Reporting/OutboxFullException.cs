namespace Databacker.Api.Client.Reporting;

/// <summary>The outbox is at its size limit and its policy is <see cref="OutboxFullPolicy.Reject"/>.</summary>
public sealed class OutboxFullException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    public OutboxFullException(string message)
        : base(message)
    {
    }
}
