namespace Dcsd.Service.Jobs;

/// <summary>
/// A job's progress (a fraction, 0 to 1) written to its record at most once per interval, and never as done before the job says
/// so (the record's final update sets 100).
/// </summary>
internal sealed class ThrottledProgress(Func<double, Task> write, TimeSpan interval, TimeProvider time) : IProgress<double>
{
    private const double MaxBeforeDone = 0.99;
    private long _lastWriteTicks = time.GetTimestamp();

    public void Report(double value)
    {
        long now = time.GetTimestamp();
        long last = Interlocked.Read(ref _lastWriteTicks);
        if (time.GetElapsedTime(last, now) < interval || Interlocked.CompareExchange(ref _lastWriteTicks, now, last) != last)
        {
            return;
        }

        // Progress is advisory: a failed write must not disturb the job, and the next report retries.
        _ = write(Math.Clamp(value, 0, MaxBeforeDone)).ContinueWith(
            t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>Adapts a count (bytes received) to this fraction of an expected total.</summary>
    public IProgress<long> OfTotal(long expected) => new CountProgress(this, Math.Max(1, expected));

    private sealed class CountProgress(ThrottledProgress fraction, long expected) : IProgress<long>
    {
        public void Report(long value) => fraction.Report((double)value / expected);
    }
}
