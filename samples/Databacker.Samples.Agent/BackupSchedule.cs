using Cronos;
using Databacker.Api.Contracts;

namespace Databacker.Samples.Agent;

/// <summary>
/// When the next backup runs, from the configuration's <c>dump.schedule</c>: <c>cron</c> (five fields, or six with
/// seconds first; times in UTC) wins; otherwise every <c>frequency</c> minutes, the first after <c>begin</c> minutes; <c>once</c> runs one
/// backup and stops. Without a schedule, once a day.
/// </summary>
internal sealed class BackupSchedule
{
    private const int DefaultFrequencyMinutes = 24 * 60;

    private readonly CronExpression? _cron;
    private readonly TimeSpan _frequency;
    private readonly TimeSpan _begin;

    private BackupSchedule(CronExpression? cron, TimeSpan frequency, TimeSpan begin, bool once, string description)
    {
        _cron = cron;
        _frequency = frequency;
        _begin = begin;
        Once = once;
        Description = description;
    }

    /// <summary>Run one backup and stop.</summary>
    public bool Once { get; }

    /// <summary>The schedule in words, for the agent's output.</summary>
    public string Description { get; }

    /// <summary>Reads the schedule of a configuration.</summary>
    /// <exception cref="CommandFailure">The cron expression is not valid.</exception>
    public static BackupSchedule Of(ConfigDocument document)
    {
        var schedule = (document as LocalConfig)?.Spec?.Dump?.Schedule;
        var once = schedule?.Once == true;
        if (!string.IsNullOrWhiteSpace(schedule?.Cron))
        {
            var text = schedule.Cron.Trim();
            var format = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
            try
            {
                return new BackupSchedule(CronExpression.Parse(text, format), TimeSpan.Zero, TimeSpan.Zero, once, $"cron '{text}'");
            }
            catch (CronFormatException error)
            {
                throw new CommandFailure($"the configuration's schedule has an invalid cron expression '{text}': {error.Message}", error, final: true);
            }
        }

        var frequency = TimeSpan.FromMinutes(schedule?.Frequency is > 0 and var minutes ? minutes : DefaultFrequencyMinutes);
        var begin = TimeSpan.FromMinutes(schedule?.Begin ?? 0);
        return new BackupSchedule(null, frequency, begin, once, $"every {frequency.TotalMinutes:0} min, first after {begin.TotalMinutes:0} min");
    }

    /// <summary>The next run: the cron's next time after <paramref name="now"/>; else <c>frequency</c> after
    /// <paramref name="lastRun"/> when there was one, or <c>begin</c> after <paramref name="startedAt"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset startedAt, DateTimeOffset? lastRun, DateTimeOffset now)
    {
        if (_cron is not null)
        {
            return _cron.GetNextOccurrence(now, TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue;
        }

        return lastRun is { } previous ? previous + _frequency : startedAt + _begin;
    }
}
