using Databacker.Api.Contracts;

namespace Databacker.Api.Client.Reporting;

/// <summary>What a <see cref="LogUploadSession"/> queues for its upload loop: a line, or a flush request.</summary>
internal readonly record struct LogUploadItem(LogEntry? Entry, TaskCompletionSource? Flush);
