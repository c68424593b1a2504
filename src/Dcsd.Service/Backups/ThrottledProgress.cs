using Dcsd.Service.Store;

namespace Dcsd.Service.Backups;

/// <summary>Turns bytes received into the record's progress, written at most once per interval and never 100 before the end.</summary>
internal sealed class ThrottledProgress(BackupRepository backups, string backupId, long expectedBytes, TimeSpan interval, TimeProvider time) : IProgress<long>
{
    private const double MaxBeforeDone = 99.0;
    private long _lastWriteTicks = time.GetTimestamp();

    public void Report(long value)
    {
        long now = time.GetTimestamp();
        long last = Interlocked.Read(ref _lastWriteTicks);
        if (time.GetElapsedTime(last, now) < interval || Interlocked.CompareExchange(ref _lastWriteTicks, now, last) != last)
        {
            return;
        }

        double percent = Math.Min(MaxBeforeDone, value * 100.0 / expectedBytes);
        // Progress is advisory: a failed write must not disturb the transfer, and the next report retries.
        _ = backups.UpdateProgressAsync(backupId, Math.Round(percent, 2), CancellationToken.None).ContinueWith(
            t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
