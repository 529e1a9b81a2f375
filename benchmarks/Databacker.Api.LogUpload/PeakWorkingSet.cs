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

    public static long Current()
    {
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
