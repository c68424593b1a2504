using System.Globalization;
using Dcsd.Service.Http;
using Dcsd.Service.Jobs;
using Dcsd.Service.Persistence;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Restores;

/// <summary>The DCS rules for starting a restore of an instance from one of its backups; the work runs in <see cref="RestoreWorker"/>.</summary>
internal sealed class RestoreService(RestoreRepository restores, BackupRepository backups, JobQueue<RestoreRecord> queue, TimeProvider time)
{
    public async Task<RestoreRecord> StartAsync(InstanceRecord instance, string? backupId, string? remark, CancellationToken cancellationToken)
    {
        if (instance.CacheMode == CacheModes.Single)
        {
            throw new DcsException(DcsErrors.SingleNodeNotSupported);
        }

        if (string.IsNullOrEmpty(backupId))
        {
            throw new DcsException(DcsErrors.InvalidParameter("backup_id"));
        }

        if (remark is { Length: > Backups.BackupService.MaxRemarkLength })
        {
            throw new DcsException(DcsErrors.RemarkTooLong);
        }

        var backup = await backups.GetAsync(instance.ProjectId, instance.Id, RouteIds.Uuid(backupId, "backup_id"), cancellationToken).ConfigureAwait(false);
        EnsureLoadable(backup);
        EnsureCanTakeData(instance);

        var now = time.GetUtcNow();
        var record = new RestoreRecord
        {
            Id = Guid.NewGuid().ToString(),
            ProjectId = instance.ProjectId,
            InstanceId = instance.Id,
            BackupId = backup.Id,
            SourceInstanceId = backup.InstanceId,
            Name = "restore_" + now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture),
            Remark = remark,
            Status = RestoreStatus.Waiting,
            CreatedAt = now,
            UpdatedAt = now,
        };
        DcsErrors.ThrowIfBusy(await restores.TryInsertExclusiveAsync(record, cancellationToken).ConfigureAwait(false));

        queue.Enqueue(record.Id);
        return record;
    }

    /// <summary>Only a succeed backup, with its manifest, can be put into an instance: DCS.4031 when it is gone, DCS.4087 when it has not succeeded.</summary>
    public static void EnsureLoadable([System.Diagnostics.CodeAnalysis.NotNull] BackupRecord? backup)
    {
        if (backup is null || backup.Status == BackupStatus.Deleted)
        {
            throw new DcsException(DcsErrors.BackupNotFound);
        }

        if (backup.Status != BackupStatus.Succeed || backup.Manifest is null)
        {
            throw new DcsException(DcsErrors.BackupNotRestorable);
        }
    }

    /// <summary>An instance takes a backup's data only while it runs with no restore or import going (DCS.4097, else DCS.4049).</summary>
    public static void EnsureCanTakeData(InstanceRecord instance)
    {
        if (instance.Status == InstanceStatus.Restoring)
        {
            throw new DcsException(DcsErrors.RestoreRunning);
        }

        if (instance.Status != InstanceStatus.Running)
        {
            throw new DcsException(DcsErrors.InstanceNotRunning);
        }
    }
}
