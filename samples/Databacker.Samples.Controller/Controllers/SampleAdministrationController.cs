using System.Globalization;
using System.Text;
using Databacker.Api.Auth.Keys;
using Databacker.Api.Contracts;
using Databacker.Api.Server;
using Databacker.Api.Server.Caching;
using Databacker.Api.Server.Errors;
using Databacker.Api.Server.Negotiation;
using Databacker.Api.Server.Reporting;
using Databacker.Samples.Controller.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Databacker.Samples.Controller.Controllers;

/// <summary>
/// The Administration tag: instances, their keys and configuration, and the runs, logs and summary built from what
/// agents reported.
/// </summary>
public sealed class SampleAdministrationController : AdministrationControllerBase
{
    private const int MaxPage = 500;
    private const string TextMediaType = "text/plain";

    private readonly SqliteInstanceStore _instances;
    private readonly IEventStore _events;
    private readonly ILogStore _logs;
    private readonly SqliteReportingStore _reporting;

    public SampleAdministrationController(SqliteInstanceStore instances, IEventStore events, ILogStore logs, SqliteReportingStore reporting)
    {
        _instances = instances;
        _events = events;
        _logs = logs;
        _reporting = reporting;
    }

    /// <inheritdoc />
    public override async Task<ActionResult<InstanceList>> ListInstances(int? limit = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        if (Page(limit, cursor, out var after) is { } problem)
        {
            return problem;
        }

        var (items, lastId) = await _instances.ListAsync(limit ?? 50, after, cancellationToken);
        return Ok(new InstanceList { Items = [.. items], NextCursor = lastId is null ? null : EncodeCursor(lastId) });
    }

    /// <inheritdoc />
    public override async Task<ActionResult<Instance>> CreateInstance(InstanceCreate body, CancellationToken cancellationToken = default)
    {
        if (Validate(body.PublicKey, out var key) is { } problem)
        {
            return problem;
        }

        var created = await _instances.CreateAsync(body, key!, cancellationToken);
        if (created.Outcome == StoreOutcome.Conflict)
        {
            return this.DatabackerProblem(StatusCodes.Status409Conflict, DatabackerProblemTypes.Conflict, created.Detail);
        }

        var instance = created.Value!;
        return Created(new Uri(new Uri(Request.Scheme + "://" + Request.Host + "/"), "instances/" + Uri.EscapeDataString(instance.Id)), instance);
    }

    /// <inheritdoc />
    public override async Task<ActionResult<Instance>> GetInstance(string instance, CancellationToken cancellationToken = default) =>
        await _instances.GetAsync(instance, cancellationToken) is { } found ? Ok(found) : NoSuchInstance();

    /// <inheritdoc />
    public override async Task<ActionResult<Instance>> UpdateInstance(InstanceUpdate body, string instance, CancellationToken cancellationToken = default)
    {
        var updated = await _instances.UpdateAsync(instance, body, cancellationToken);
        return updated.Outcome == StoreOutcome.Done ? Ok(updated.Value) : NoSuchInstance();
    }

    /// <inheritdoc />
    public override async Task<IActionResult> DeleteInstance(string instance, CancellationToken cancellationToken = default) =>
        await _instances.DeleteAsync(instance, cancellationToken) ? NoContent() : NoSuchInstance();

    /// <inheritdoc />
    public override async Task<ActionResult<KeyList>> ListKeys(string instance, CancellationToken cancellationToken = default) =>
        await _instances.ListKeysAsync(instance, cancellationToken) is { } keys ? Ok(new KeyList { Items = [.. keys] }) : NoSuchInstance();

    /// <inheritdoc />
    public override async Task<ActionResult<InstanceKey>> AddKey(Jwk body, string instance, CancellationToken cancellationToken = default)
    {
        if (Validate(body, out var key) is { } problem)
        {
            return problem;
        }

        var added = await _instances.AddKeyAsync(instance, key!, cancellationToken);
        return added.Outcome switch
        {
            StoreOutcome.Done => Created(
                new Uri(new Uri(Request.Scheme + "://" + Request.Host + "/"), $"instances/{Uri.EscapeDataString(instance)}/keys/{Uri.EscapeDataString(added.Value!.Kid)}"),
                added.Value),
            StoreOutcome.NotFound => NoSuchInstance(),
            _ => this.DatabackerProblem(StatusCodes.Status409Conflict, DatabackerProblemTypes.Conflict, added.Detail),
        };
    }

    /// <inheritdoc />
    public override async Task<IActionResult> RemoveKey(string instance, string kid, CancellationToken cancellationToken = default)
    {
        var removed = await _instances.RemoveKeyAsync(instance, kid, cancellationToken);
        return removed.Outcome switch
        {
            StoreOutcome.Done => NoContent(),
            StoreOutcome.NotFound => this.DatabackerProblem(StatusCodes.Status404NotFound, DatabackerProblemTypes.NotFound, "No such instance or key."),
            _ => this.DatabackerProblem(StatusCodes.Status409Conflict, DatabackerProblemTypes.Conflict, removed.Detail),
        };
    }

    /// <inheritdoc />
    public override async Task<ActionResult<ConfigDocument>> GetConfig(string instance, CancellationToken cancellationToken = default)
    {
        if (await _instances.GetConfigAsync(instance, cancellationToken) is { } stored)
        {
            return this.OkWithEntityTag(stored.Document);
        }

        return await _instances.ExistsAsync(instance, cancellationToken)
            ? this.DatabackerProblem(StatusCodes.Status404NotFound, DatabackerProblemTypes.NotFound, "The instance has no configuration yet.")
            : NoSuchInstance();
    }

    /// <inheritdoc />
    public override async Task<ActionResult<ConfigDocument>> PutConfig(ConfigDocument body, string instance, string? if_Match = null, CancellationToken cancellationToken = default)
    {
        var stored = await _instances.PutConfigAsync(instance, body, if_Match, cancellationToken);
        switch (stored.Outcome)
        {
            case StoreOutcome.Done:
                Response.Headers.ETag = stored.Value;
                return Ok(body);
            case StoreOutcome.NotFound:
                return NoSuchInstance();
            default:
                return this.DatabackerProblem(StatusCodes.Status412PreconditionFailed, DatabackerProblemTypes.PreconditionFailed, stored.Detail);
        }
    }

    /// <inheritdoc />
    public override async Task<ActionResult<RunList>> ListRuns(string instance, int? limit = 50, string? cursor = null, RunStatus? status = null, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        if (Page(limit, cursor, out var after) is { } problem)
        {
            return problem;
        }

        if (status is { IsKnown: false } unknown)
        {
            return this.DatabackerProblem(StatusCodes.Status400BadRequest, DatabackerProblemTypes.InvalidParameter,
                $"'status' must be one of: {string.Join(", ", RunStatus.Known)}; got '{unknown}'.");
        }

        if (!await _instances.ExistsAsync(instance, cancellationToken))
        {
            return NoSuchInstance();
        }

        (DateTimeOffset StartedAt, Guid Id)? position = null;
        if (after is not null)
        {
            var parts = after.Split('|');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks > DateTimeOffset.MaxValue.UtcTicks || !Guid.TryParse(parts[1], out var id))
            {
                return BadCursor();
            }

            position = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        }

        // Newest first, ties broken by id, so the cursor (the last run's start and id) is a stable position.
        var runs = RunAggregator.Runs(instance, await _events.ListAsync(instance, null, cancellationToken))
            .Where(r => status is null || r.Status == status.Value)
            .Where(r => since is null || r.StartedAt >= since.Value)
            .OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id)
            .Where(r => position is not { } p || r.StartedAt < p.StartedAt || (r.StartedAt == p.StartedAt && r.Id.CompareTo(p.Id) < 0))
            .Take((limit ?? 50) + 1)
            .ToList();
        string? next = null;
        if (runs.Count > (limit ?? 50))
        {
            runs.RemoveAt(runs.Count - 1);
            var last = runs[^1];
            next = EncodeCursor(last.StartedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "|" + last.Id.ToString("D"));
        }

        return Ok(new RunList { Items = runs, NextCursor = next });
    }

    /// <inheritdoc />
    public override async Task<ActionResult<RunDetail>> GetRun(string instance, Guid run, CancellationToken cancellationToken = default)
    {
        if (!await _instances.ExistsAsync(instance, cancellationToken))
        {
            return NoSuchInstance();
        }

        var events = await _events.ListAsync(instance, run, cancellationToken);
        if (events.Count == 0)
        {
            return this.DatabackerProblem(StatusCodes.Status404NotFound, DatabackerProblemTypes.NotFound, "The instance has reported no events for this run.");
        }

        var aggregate = RunAggregator.Aggregate(instance, run, events);
        return Ok(new RunDetail
        {
            Id = aggregate.Id,
            Instance = aggregate.Instance,
            Status = aggregate.Status,
            StartedAt = aggregate.StartedAt,
            FinishedAt = aggregate.FinishedAt,
            DurationMs = aggregate.DurationMs,
            Bytes = aggregate.Bytes,
            Targets = aggregate.Targets,
            Databases = aggregate.Databases,
            Error = aggregate.Error,
            Events = [.. events],
        });
    }

    /// <inheritdoc />
    public override async Task<IActionResult> GetRunLog(string instance, Guid run, CancellationToken cancellationToken = default)
    {
        if (!await _instances.ExistsAsync(instance, cancellationToken))
        {
            return NoSuchInstance();
        }

        if (!await _reporting.HasLogAsync(instance, run, cancellationToken) && (await _events.ListAsync(instance, run, cancellationToken)).Count == 0)
        {
            return this.DatabackerProblem(StatusCodes.Status404NotFound, DatabackerProblemTypes.NotFound, "The instance has reported nothing for this run.");
        }

        // The runtime has already negotiated NDJSON or text from Accept (406 for anything else); only write the stream.
        return this.NegotiatedStream(async (body, mediaType, ct) =>
        {
            var text = string.Equals(mediaType, TextMediaType, StringComparison.OrdinalIgnoreCase);

            // Line by line from the store to the socket; StreamWriter's buffer bounds what is held at once.
            await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
            await foreach (var entry in _logs.ReadAsync(instance, run, ct))
            {
                await writer.WriteAsync((text ? FormatText(entry) : StoredJson.Serialize(entry)).AsMemory(), ct);
                await writer.WriteAsync("\n".AsMemory(), ct);
            }

            await writer.FlushAsync(ct);
        });
    }

    /// <inheritdoc />
    public override async Task<ActionResult<Summary>> GetSummary(DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        var summary = new Summary();
        var all = new List<Run>();
        string? after = null;
        do
        {
            var (items, lastId) = await _instances.ListAsync(MaxPage, after, cancellationToken);
            foreach (var instance in items)
            {
                var runs = RunAggregator.Runs(instance.Id, await _events.ListAsync(instance.Id, null, cancellationToken))
                    .Where(r => since is null || r.StartedAt >= since.Value)
                    .ToList();
                all.AddRange(runs);
                summary.Instances.Add(new InstanceSummary { Instance = instance.Id, Name = instance.Name, Statistics = RunAggregator.Statistics(runs) });
            }

            after = lastId;
        }
        while (after is not null);

        summary.Totals = RunAggregator.Statistics(all);
        return Ok(summary);
    }

    private static string FormatText(LogEntry entry)
    {
        var line = new StringBuilder()
            .Append(entry.Timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
            .Append(' ')
            .Append(OneLine(entry.Level ?? "info").ToUpperInvariant().PadRight(5))
            .Append(' ')
            .Append(OneLine(entry.Stream.Value).PadRight(6))
            .Append(' ')
            .Append(OneLine(entry.Message));
        return line.ToString();
    }

    // One line per entry, whatever an agent sent: line breaks and other control characters (which could forge a line or
    // drive a terminal) become spaces.
    private static string OneLine(string text) =>
        text.Any(char.IsControl) || text.Contains('\u2028') || text.Contains('\u2029')
            ? string.Create(text.Length, text, static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = char.IsControl(source[i]) || source[i] is '\u2028' or '\u2029' ? ' ' : source[i];
                }
            })
            : text;

    private ActionResult? Validate(Jwk jwk, out EcPublicJwk? key)
    {
        try
        {
            // Validates kty, curve, alg/use, kid, coordinate lengths and that the point is on the curve; assigns the
            // RFC 7638 thumbprint as kid when there is none. A "d" member never gets this far: the library's strict JWK binding refuses
            // it while binding.
            key = EcPublicJwkValidator.Validate(JwkMapping.ToEcPublicJwk(jwk));
            return null;
        }
        catch (InvalidPublicKeyException error)
        {
            key = null;
            return this.DatabackerProblem(StatusCodes.Status400BadRequest, DatabackerProblemTypes.InvalidBody, error.Message,
                new Dictionary<string, object?> { ["reason"] = error.Reason.ToString() });
        }
    }

    private ActionResult? Page(int? limit, string? cursor, out string? after)
    {
        after = null;
        if (limit is < 1 or > MaxPage)
        {
            return this.DatabackerProblem(StatusCodes.Status400BadRequest, DatabackerProblemTypes.InvalidParameter, $"'limit' must be from 1 to {MaxPage}.");
        }

        if (cursor is null)
        {
            return null;
        }

        after = DecodeCursor(cursor);
        return after is null ? BadCursor() : null;
    }

    private ActionResult BadCursor() =>
        this.DatabackerProblem(StatusCodes.Status400BadRequest, DatabackerProblemTypes.InvalidParameter, "'cursor' is not a cursor this controller gave out.");

    private ActionResult NoSuchInstance() =>
        this.DatabackerProblem(StatusCodes.Status404NotFound, DatabackerProblemTypes.NotFound, "No such instance.");

    private static string EncodeCursor(string position) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(position)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? DecodeCursor(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
