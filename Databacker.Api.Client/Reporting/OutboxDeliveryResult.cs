namespace Databacker.Api.Client.Reporting;

/// <summary>What one delivery pass of the outbox did.</summary>
/// <param name="Delivered">Records sent and acknowledged.</param>
/// <param name="Remaining">Whether records are left (the sender failed; try again later).</param>
/// <param name="CorruptBytesSkipped">Bytes of damaged or truncated records skipped (e.g. after a crash mid-write).</param>
public sealed record OutboxDeliveryResult(int Delivered, bool Remaining, long CorruptBytesSkipped);
