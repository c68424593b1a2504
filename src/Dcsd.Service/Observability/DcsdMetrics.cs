using System.Diagnostics.Metrics;

namespace Dcsd.Service.Observability;

/// <summary>
/// Every dcsd instrument, on the one meter <see cref="MeterName"/>. The OpenTelemetry Prometheus exporter turns the names into
/// Prometheus ones (dots to underscores, the unit and _total appended): <c>dcsd.backups.finished</c> is scraped as
/// <c>dcsd_backups_finished_total</c>, <c>dcsd.backup.duration</c> (s) as <c>dcsd_backup_duration_seconds</c>.
/// Labels carry ids and fixed words only: never a name, a remark, an error message or a secret.
/// </summary>
internal sealed class DcsdMetrics
{
    public const string MeterName = "Dcsd";

    /// <summary>From a second to six hours: a job's end-to-end time, queue wait included.</summary>
    private static readonly double[] DurationBuckets = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];

    /// <summary>From 1 MB to 100 GB, a bucket every power of about 3.</summary>
    private static readonly long[] SizeBuckets = [1_000_000, 3_000_000, 10_000_000, 30_000_000, 100_000_000, 300_000_000, 1_000_000_000, 3_000_000_000, 10_000_000_000, 30_000_000_000, 100_000_000_000];

    /// <summary>From 1 MB/s to 3 GB/s.</summary>
    private static readonly double[] RateBuckets = [1e6, 3e6, 1e7, 3e7, 1e8, 3e8, 1e9, 3e9];

    private readonly Meter _meter;
    private readonly FleetStatistics _fleet;
    private readonly TimeProvider _time;
    private long _runningImports;

    public DcsdMetrics(IMeterFactory meterFactory, FleetStatistics fleet, TimeProvider time)
    {
        _fleet = fleet;
        _time = time;
        _meter = meterFactory.Create(MeterName);
        BackupsStarted = _meter.CreateCounter<long>("dcsd.backups.started", "{backup}", "Backups that began to run, by instance and kind (manual, auto).");
        BackupsFinished = _meter.CreateCounter<long>("dcsd.backups.finished", "{backup}", "Backups that ended, by instance, kind and outcome (succeed, failed) with the DCS error code of a failure.");
        BackupDuration = _meter.CreateHistogram("dcsd.backup.duration", "s", "A backup's time from its request to its end, queue wait included.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        BackupSize = _meter.CreateHistogram<long>("dcsd.backup.size", "By", "The bytes of each succeeded backup (its RDB files).", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
        BackupTransferRate = _meter.CreateHistogram("dcsd.backup.transfer.rate", "By/s", "Each succeeded backup's bytes over the time it ran (after the queue).", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RateBuckets });
        LoadsStarted = _meter.CreateCounter<long>("dcsd.restores.started", "{restore}", "Restores and backup imports that began to run, by target instance and kind (restore, import).");
        LoadsFinished = _meter.CreateCounter<long>("dcsd.restores.finished", "{restore}", "Restores and backup imports that ended, by target instance, kind and outcome (succeed, failed).");
        LoadDuration = _meter.CreateHistogram("dcsd.restore.duration", "s", "A restore's or import's time from its request to its end, queue wait included.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        LoadSize = _meter.CreateHistogram<long>("dcsd.restore.size", "By", "The backup bytes each succeeded restore or import put back.", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
        LoadTransferRate = _meter.CreateHistogram("dcsd.restore.transfer.rate", "By/s", "Each succeeded restore's or import's bytes over its load phase.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RateBuckets });
        JobsRunning = _meter.CreateUpDownCounter<long>("dcsd.jobs.running", "{job}", "Jobs running now, by job (backup, restore, import).");
        AuthenticationFailures = _meter.CreateCounter<long>("dcsd.auth.failures", "{request}", "API requests refused by authentication, by DCS error code.");
        _meter.CreateObservableGauge("dcsd.jobs.queued", QueuedJobs, "{job}", "Jobs waiting for a worker, by job (backup, restore, import).");
        _meter.CreateObservableGauge("dcsd.instances", Instances, "{instance}", "Instances by status and cache mode.");
        _meter.CreateObservableGauge(
            "dcsd.backup.last_success.age",
            LastSuccessAges,
            "s",
            "Seconds since the instance's last succeed backup ended (since the instance was created, while it has none). Master/standby and cluster instances only.");
    }

    public Counter<long> BackupsStarted { get; }

    public Counter<long> BackupsFinished { get; }

    public Histogram<double> BackupDuration { get; }

    public Histogram<long> BackupSize { get; }

    public Histogram<double> BackupTransferRate { get; }

    public Counter<long> LoadsStarted { get; }

    public Counter<long> LoadsFinished { get; }

    public Histogram<double> LoadDuration { get; }

    public Histogram<long> LoadSize { get; }

    public Histogram<double> LoadTransferRate { get; }

    public UpDownCounter<long> JobsRunning { get; }

    public Counter<long> AuthenticationFailures { get; }

    public void JobStarted(string job)
    {
        JobsRunning.Add(1, new KeyValuePair<string, object?>(Tags.Job, job));
        if (job == Jobs.Import)
        {
            Interlocked.Increment(ref _runningImports);
        }
    }

    public void JobEnded(string job)
    {
        JobsRunning.Add(-1, new KeyValuePair<string, object?>(Tags.Job, job));
        if (job == Jobs.Import)
        {
            Interlocked.Decrement(ref _runningImports);
        }
    }

    /// <summary>Waiting records are the queue. An import has one active status for both, so its queue is the active ones not running here.</summary>
    private IEnumerable<Measurement<long>> QueuedJobs()
    {
        var fleet = _fleet.Read();
        return
        [
            new(fleet.WaitingBackups, new KeyValuePair<string, object?>(Tags.Job, Jobs.Backup)),
            new(fleet.WaitingRestores, new KeyValuePair<string, object?>(Tags.Job, Jobs.Restore)),
            new(Math.Max(0, fleet.ActiveImports - Interlocked.Read(ref _runningImports)), new KeyValuePair<string, object?>(Tags.Job, Jobs.Import)),
        ];
    }

    private IEnumerable<Measurement<long>> Instances() =>
        _fleet.Read().InstancesByStatus.Select(group => new Measurement<long>(
            group.Count,
            new KeyValuePair<string, object?>(Tags.Status, group.Status),
            new KeyValuePair<string, object?>(Tags.CacheMode, group.CacheMode)));

    private IEnumerable<Measurement<double>> LastSuccessAges()
    {
        var now = _time.GetUtcNow();
        return _fleet.Read().LastSuccesses.Select(last => new Measurement<double>(
            Math.Max(0, (now - last.At).TotalSeconds),
            new KeyValuePair<string, object?>(Tags.InstanceId, last.InstanceId)));
    }

    /// <summary>The label names, one spelling each.</summary>
    public static class Tags
    {
        public const string InstanceId = "instance_id";
        public const string Kind = "kind";
        public const string Outcome = "outcome";
        public const string ErrorCode = "error_code";
        public const string Job = "job";
        public const string Status = "status";
        public const string CacheMode = "cache_mode";
    }

    /// <summary>The values of the job label.</summary>
    public static class Jobs
    {
        public const string Backup = "backup";
        public const string Restore = "restore";
        public const string Import = "import";
    }
}
