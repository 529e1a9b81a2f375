namespace Databacker.Api.Client.Reporting;

/// <summary>What the outbox does when a new record would exceed its size limit.</summary>
public enum OutboxFullPolicy
{
    /// <summary>Refuse the new record with an <see cref="OutboxFullException"/>; nothing already spooled is lost.</summary>
    Reject,

    /// <summary>Delete the oldest segment files until the record fits; the newest reports win.</summary>
    DropOldest,
}
