namespace Databacker.Api.Client.Reporting;

/// <summary>One undelivered report in the outbox.</summary>
/// <param name="Kind">What it is, e.g. <c>log</c> or <c>events</c>.</param>
/// <param name="Payload">The exact body to send.</param>
public sealed record OutboxRecord(string Kind, byte[] Payload);
