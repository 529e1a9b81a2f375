using Databacker.Api.Contracts;
using Databacker.Api.Server;
using Databacker.Api.Server.Errors;
using Databacker.Api.Server.Reporting;
using Databacker.Samples.Controller.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Databacker.Samples.Controller.Controllers;

/// <summary>The Reporting tag: a run's log lines (NDJSON, all-or-nothing) and its events, both deduplicated.</summary>
public sealed class SampleReportingController : ReportingControllerBase
{
    private readonly NdjsonLogReader _logReader;
    private readonly ILogStore _logs;
    private readonly IEventStore _events;
    private readonly SqliteInstanceStore _instances;

    public SampleReportingController(NdjsonLogReader logReader, ILogStore logs, IEventStore events, SqliteInstanceStore instances)
    {
        _logReader = logReader;
        _logs = logs;
        _events = events;
        _instances = instances;
    }

    /// <inheritdoc />
    public override async Task<ActionResult<LogReceipt>> PostLogs(Stream body, string instance, CancellationToken cancellationToken = default)
    {
        if (await NotReportingAsync(instance, cancellationToken) is { } refused)
        {
            return refused;
        }

        // Read and validate the whole body before storing anything: a bad line anywhere stores nothing.
        var read = await _logReader.ReadAsync(body, cancellationToken);
        if (read.Error is { } error)
        {
            return this.LogBodyProblem(error);
        }

        var receipt = await _logs.AppendAsync(instance, read.Entries, cancellationToken);
        return StatusCode(StatusCodes.Status201Created, receipt);
    }

    /// <inheritdoc />
    public override async Task<ActionResult<EventReceipt>> PostEvents(EventBatch body, string instance, CancellationToken cancellationToken = default)
    {
        if (await NotReportingAsync(instance, cancellationToken) is { } refused)
        {
            return refused;
        }

        var invalid = body.Events.Select((e, i) => (Event: e, Index: i)).FirstOrDefault(x => x.Event.Id == Guid.Empty || x.Event.Run == Guid.Empty);
        if (invalid.Event is not null)
        {
            return this.DatabackerProblem(StatusCodes.Status400BadRequest, DatabackerProblemTypes.InvalidBody,
                $"events[{invalid.Index}]: 'id' and 'run' must be non-empty UUIDs.");
        }

        var receipt = await _events.AppendAsync(instance, body.Events.ToList(), cancellationToken);
        return StatusCode(StatusCodes.Status201Created, receipt);
    }

    // An instance whose account has no reporting is not told where to report (the discovery document names no reporting
    // URL), and what it sends anyway is refused, as a configuration is refused without scheduling.
    private async Task<ActionResult?> NotReportingAsync(string instance, CancellationToken cancellationToken) =>
        await _instances.GetAsync(instance, cancellationToken) switch
        {
            null => this.DatabackerProblem(StatusCodes.Status404NotFound, DatabackerProblemTypes.NotFound, "No such instance."),
            { } found when !found.Services.Contains(ServiceName.Reporting) => this.DatabackerProblem(StatusCodes.Status403Forbidden,
                DatabackerProblemTypes.Forbidden, "Reporting is not enabled for this instance."),
            _ => null,
        };
}
