using Dcsd.Service.Jobs;
using Dcsd.Service.Store;
using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Restores;

/// <summary>
/// Runs one restore: the instance shows RESTORING, the backup's file is streamed into its master by the engine the target can
/// take fastest (dcsd as replication master, or pipelined RESTORE), the key count is checked against the backup's census, the
/// standby is back in sync, and only then is the record succeed. Whatever happens, the instance ends RUNNING.
/// </summary>
internal sealed class RestoreRunner(
    RestoreRepository restores,
    BackupRepository backups,
    InstanceRepository instances,
    BackupLoader loader,
    TimeProvider time,
    ILogger<RestoreRunner> logger)
{
    public async Task RunAsync(string restoreId, CancellationToken cancellationToken)
    {
        var restore = await restores.GetByIdAsync(restoreId, cancellationToken).ConfigureAwait(false);
        if (restore is not { Status: RestoreStatus.Waiting })
        {
            return;
        }

        var instance = await instances.GetByIdAsync(restore.InstanceId, cancellationToken).ConfigureAwait(false);
        restore = restore with { Status = RestoreStatus.Restoring, UpdatedAt = time.GetUtcNow() };
        await restores.UpdateAsync(restore, cancellationToken).ConfigureAwait(false);
        try
        {
            if (instance is null)
            {
                throw new RestoreFailedException("the instance no longer exists");
            }

            await instances.UpdateStatusAsync(instance.Id, InstanceStatus.Restoring, cancellationToken).ConfigureAwait(false);
            var backup = await backups.GetByIdAsync(restore.BackupId, cancellationToken).ConfigureAwait(false)
                ?? throw new RestoreFailedException("the backup no longer exists");
            var result = await loader.LoadAsync(
                backup,
                instance,
                percent => restores.UpdateProgressAsync(restore.Id, percent, CancellationToken.None),
                engine =>
                {
                    restore = restore with { Engine = engine };
                    return restores.UpdateAsync(restore, cancellationToken);
                },
                cancellationToken).ConfigureAwait(false);
            Log.RestoreSucceeded(logger, restore.Id, instance.Id, result.Engine, result.Keys, (long)result.Elapsed.TotalMilliseconds);
            restore = restore with { Status = RestoreStatus.Succeed, Progress = 100, ErrorCode = null, ErrorMessage = null, UpdatedAt = time.GetUtcNow() };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            string? reason = BackupLoader.ReasonOf(ex);
            if (reason is null)
            {
                reason = BackupLoader.InternalErrorReason(ex);
                Log.RestoreCrashed(logger, ex, restore.Id);
            }

            Log.RestoreFailed(logger, restore.Id, reason);
            restore = restore with { Status = RestoreStatus.Failed, ErrorCode = JobErrorCodes.SyncFailed, ErrorMessage = reason, UpdatedAt = time.GetUtcNow() };
        }
        finally
        {
            await restores.UpdateAsync(restore, CancellationToken.None).ConfigureAwait(false);
            if (instance is not null)
            {
                await instances.UpdateStatusAsync(instance.Id, InstanceStatus.Running, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A restore a previous dcsd left running: the instance's data is undefined, so the record says failed.</summary>
    public async Task FailInterruptedAsync(RestoreRecord restore, CancellationToken cancellationToken)
    {
        var failed = restore with
        {
            Status = RestoreStatus.Failed,
            ErrorCode = JobErrorCodes.SyncFailed,
            ErrorMessage = "dcsd stopped during the restore; restore again to get the backup's data",
            UpdatedAt = time.GetUtcNow(),
        };
        await restores.UpdateAsync(failed, cancellationToken).ConfigureAwait(false);
        await instances.UpdateStatusAsync(restore.InstanceId, InstanceStatus.Running, cancellationToken).ConfigureAwait(false);
    }
}

