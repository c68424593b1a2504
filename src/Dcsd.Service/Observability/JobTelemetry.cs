using System.Diagnostics;
using Dcsd.Service.Restores;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Observability;

/// <summary>
/// What the job code tells observability: one call when a job begins to run, one when it has ended. The returned handle counts
/// the job as running and holds a log scope with its ids (so every line the job writes, in any class, can be followed by
/// backup, restore or instance id) until it is disposed.
/// </summary>
internal sealed class JobTelemetry(DcsdMetrics metrics, TimeProvider time, ILogger<JobTelemetry> logger)
{
    private static readonly Func<ILogger, string, string, IDisposable?> BackupScope =
        LoggerMessage.DefineScope<string, string>("Backup {BackupId} of instance {InstanceId}");

    private static readonly Func<ILogger, string, string, IDisposable?> RestoreScope =
        LoggerMessage.DefineScope<string, string>("Restore {RestoreId} into instance {InstanceId}");

    private static readonly Func<ILogger, string, string, IDisposable?> ImportScope =
        LoggerMessage.DefineScope<string, string>("Import {TaskId} into instance {InstanceId}");

    public RunningBackup BackupStarted(BackupRecord backup)
    {
        metrics.BackupsStarted.Add(1, Tag(DcsdMetrics.Tags.InstanceId, backup.InstanceId), Tag(DcsdMetrics.Tags.Kind, backup.BackupType));
        metrics.JobStarted(DcsdMetrics.Jobs.Backup);
        return new RunningBackup(this, BackupScope(logger, backup.Id, backup.InstanceId));
    }

    public RunningLoad RestoreStarted(RestoreRecord restore) =>
        LoadStarted(DcsdMetrics.Jobs.Restore, restore.InstanceId, restore.CreatedAt, RestoreScope(logger, restore.Id, restore.InstanceId));

    public RunningLoad ImportStarted(MigrationTaskRecord task) =>
        LoadStarted(DcsdMetrics.Jobs.Import, task.TargetInstanceId, task.CreatedAt, ImportScope(logger, task.Id, task.TargetInstanceId));

    private RunningLoad LoadStarted(string job, string instanceId, DateTimeOffset requestedAt, IDisposable? scope)
    {
        metrics.LoadsStarted.Add(1, Tag(DcsdMetrics.Tags.InstanceId, instanceId), Tag(DcsdMetrics.Tags.Kind, job));
        metrics.JobStarted(job);
        return new RunningLoad(this, job, instanceId, requestedAt, scope);
    }

    /// <summary>Duration is what the user's clock sees: from the request (the record's creation) to the final record.</summary>
    private void BackupEnded(BackupRecord backup)
    {
        bool succeeded = backup.Status == BackupStatus.Succeed;
        var tags = new TagList
        {
            { DcsdMetrics.Tags.InstanceId, backup.InstanceId },
            { DcsdMetrics.Tags.Kind, backup.BackupType },
            { DcsdMetrics.Tags.Outcome, succeeded ? Outcomes.Succeed : Outcomes.Failed },
        };
        metrics.BackupDuration.Record(Seconds(backup.UpdatedAt - backup.CreatedAt), tags);
        var finished = tags;
        if (!succeeded)
        {
            finished.Add(DcsdMetrics.Tags.ErrorCode, backup.ErrorCode ?? JobErrorCodes.ToolFailed);
        }

        metrics.BackupsFinished.Add(1, finished);
        if (succeeded)
        {
            var instance = Tag(DcsdMetrics.Tags.InstanceId, backup.InstanceId);
            metrics.BackupSize.Record(backup.Size, instance);
            double running = Seconds(backup.UpdatedAt - (backup.ExecutionAt ?? backup.CreatedAt));
            if (running > 0)
            {
                metrics.BackupTransferRate.Record(backup.Size / running, instance);
            }
        }
    }

    private void LoadEnded(string job, string instanceId, DateTimeOffset requestedAt, BackupLoadResult? result)
    {
        var tags = new TagList
        {
            { DcsdMetrics.Tags.InstanceId, instanceId },
            { DcsdMetrics.Tags.Kind, job },
            { DcsdMetrics.Tags.Outcome, result is null ? Outcomes.Failed : Outcomes.Succeed },
        };
        metrics.LoadsFinished.Add(1, tags);
        metrics.LoadDuration.Record(Seconds(time.GetUtcNow() - requestedAt), tags);
        if (result is not null)
        {
            var instance = Tag(DcsdMetrics.Tags.InstanceId, instanceId);
            metrics.LoadSize.Record(result.Bytes, instance);
            if (result.Phases.Load > TimeSpan.Zero)
            {
                metrics.LoadTransferRate.Record(result.Bytes / result.Phases.Load.TotalSeconds, instance);
            }
        }
    }

    private void JobEnded(string job) => metrics.JobEnded(job);

    private static double Seconds(TimeSpan span) => Math.Max(0, span.TotalSeconds);

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    private static class Outcomes
    {
        public const string Succeed = "succeed";
        public const string Failed = "failed";
    }

    /// <summary>A backup counted as running until disposed; <see cref="Ended"/> takes its final record.</summary>
    internal sealed class RunningBackup(JobTelemetry owner, IDisposable? scope) : IDisposable
    {
        public void Ended(BackupRecord final) => owner.BackupEnded(final);

        public void Dispose()
        {
            owner.JobEnded(DcsdMetrics.Jobs.Backup);
            scope?.Dispose();
        }
    }

    /// <summary>A restore or import counted as running until disposed; <see cref="Ended"/> takes the load's result (null: it failed).</summary>
    internal sealed class RunningLoad(JobTelemetry owner, string job, string instanceId, DateTimeOffset requestedAt, IDisposable? scope) : IDisposable
    {
        public void Ended(BackupLoadResult? result) => owner.LoadEnded(job, instanceId, requestedAt, result);

        public void Dispose()
        {
            owner.JobEnded(job);
            scope?.Dispose();
        }
    }
}
