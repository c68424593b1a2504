using Dcsd.Service.Jobs;
using System.Globalization;
using Dcsd.Service.Http;
using Dcsd.Service.Persistence;
using Dcsd.Storage;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Backups;

/// <summary>The DCS rules for starting and deleting backups; the work itself runs in <see cref="BackupWorker"/>.</summary>
internal sealed class BackupService(BackupRepository backups, JobQueue<BackupRecord> queue, IBackupStore store, TimeProvider time)
{
    public const int MaxRemarkLength = 128;

    public async Task<BackupRecord> StartAsync(InstanceRecord instance, string? remark, string? format, string backupType, CancellationToken cancellationToken)
    {
        if (remark is { Length: > MaxRemarkLength })
        {
            throw new DcsException(DcsErrors.RemarkTooLong);
        }

        string backupFormat = (format ?? "rdb").ToLowerInvariant() switch
        {
            "rdb" => "rdb",
            "aof" => throw new DcsException(DcsErrors.InvalidParameter("backup_format").WithMessage("Invalid backup_format parameter in the request: only rdb backups are supported by this dcsd.")),
            _ => throw new DcsException(DcsErrors.InvalidParameter("backup_format")),
        };
        EnsureBackupAllowed(instance);

        var now = time.GetUtcNow();
        string id = Guid.NewGuid().ToString();
        var record = new BackupRecord
        {
            Id = id,
            ProjectId = instance.ProjectId,
            InstanceId = instance.Id,
            Name = "backup_" + now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture),
            Remark = remark,
            Status = BackupStatus.Waiting,
            BackupType = backupType,
            BackupFormat = backupFormat,
            FilePrefix = $"{instance.ProjectId}/{instance.Id}/{id}",
            CreatedAt = now,
            UpdatedAt = now,
        };
        DcsErrors.ThrowIfBusy(await backups.TryInsertExclusiveAsync(record, cancellationToken).ConfigureAwait(false));

        queue.Enqueue(record.Id);
        return record;
    }

    /// <summary>Removes the backup's files; the record stays, with status deleted.</summary>
    public async Task DeleteAsync(InstanceRecord instance, string backupId, CancellationToken cancellationToken)
    {
        var backup = await backups.GetAsync(instance.ProjectId, instance.Id, backupId, cancellationToken).ConfigureAwait(false);
        if (backup is null || backup.Status == BackupStatus.Deleted)
        {
            throw new DcsException(DcsErrors.BackupNotFound);
        }

        if (backup.IsActive)
        {
            throw new DcsException(DcsErrors.BackupRunning);
        }

        await store.DeletePrefixAsync(backup.FilePrefix, cancellationToken).ConfigureAwait(false);
        await backups.UpdateAsync(backup with { Status = BackupStatus.Deleted, UpdatedAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Only master/standby and cluster instances can be backed up, and only while they run.</summary>
    private static void EnsureBackupAllowed(InstanceRecord instance)
    {
        if (instance.CacheMode == CacheModes.Single)
        {
            throw new DcsException(DcsErrors.SingleNodeNotSupported);
        }

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
