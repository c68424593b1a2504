using Dcsd.Service.Jobs;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Restores;

/// <summary>
/// Runs one restore: the instance shows RESTORING, the backup's file is streamed into its master by the engine the target can
/// take fastest (dcsd as replication master, or pipelined RESTORE), the key count is checked against the backup's census, the
/// standby is back in sync, and only then is the record succeed. Whatever happens, the instance ends RUNNING.
/// </summary>
internal sealed class RestoreRunner(
    RestoreRepository restores,
    InstanceRepository instances,
    BackupLoadJob job,
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
            var outcome = await job.RunAsync(
                instance,
                restore.BackupId,
                percent => restores.UpdateProgressAsync(restore.Id, percent, CancellationToken.None),
                engine =>
                {
                    restore = restore with { Engine = engine };
                    return restores.UpdateAsync(restore, cancellationToken);
                },
                cancellationToken).ConfigureAwait(false);
            if (outcome.Unexpected is not null)
            {
                Log.RestoreCrashed(logger, outcome.Unexpected, restore.Id);
            }

            if (outcome.Result is { } result)
            {
                Log.RestoreSucceeded(logger, restore.Id, restore.InstanceId, result.Engine, result.Keys, (long)result.Elapsed.TotalMilliseconds, result.Phases);
                restore = restore with { Status = RestoreStatus.Succeed, Progress = 100, ErrorCode = null, ErrorMessage = null, UpdatedAt = time.GetUtcNow() };
            }
            else
            {
                Log.RestoreFailed(logger, restore.Id, outcome.FailureReason!);
                restore = restore with { Status = RestoreStatus.Failed, ErrorCode = JobErrorCodes.SyncFailed, ErrorMessage = outcome.FailureReason, UpdatedAt = time.GetUtcNow() };
            }
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

