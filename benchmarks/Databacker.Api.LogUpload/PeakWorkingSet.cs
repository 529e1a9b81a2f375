using System.Diagnostics;

namespace Databacker.Api.LogUpload;

/// <summary>Samples this process's working set in the background and keeps the peak since the last reset.</summary>
internal sealed class PeakWorkingSet : IDisposable
{
    private readonly Timer _timer;
    private long _peak;

    public PeakWorkingSet(TimeSpan interval)
    {
        Reset();
        _timer = new Timer(_ => Sample(), null, interval, interval);
    }

    public long Peak => Interlocked.Read(ref _peak);

    // On Linux the resident set straight from /proc/self/statm (the value Process.WorkingSet64 reports): the
    // Process class also lists and reads every thread's files on each call, which at 50 samples a second is CPU the
    // measured process would be charged for.
    public static long Current()
    {
        if (OperatingSystem.IsLinux())
        {
            var statm = File.ReadAllText("/proc/self/statm").AsSpan();
            var fields = statm[(statm.IndexOf(' ') + 1)..];
            return long.Parse(fields[..fields.IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }

        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    public long Sample()
    {
        var now = Current();
        long peak;
        while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }

        return now;
    }

    public void Reset() => Interlocked.Exchange(ref _peak, Current());

    public void Dispose() => _timer.Dispose();
}
