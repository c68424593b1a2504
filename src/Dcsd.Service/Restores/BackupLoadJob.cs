using Dcsd.Redis.Cluster;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Restores;

/// <summary>How a load into an instance ended: the loader's result, or why it failed in words (with the exception when it was unexpected: a bug to log).</summary>
internal sealed record BackupLoadOutcome(BackupLoadResult? Result, string? FailureReason, Exception? Unexpected);

/// <summary>
/// What a restore and a backup import share around <see cref="BackupLoader"/>: the target shows RESTORING while the backup's data
/// goes in, and a failure comes back as its reason rather than an exception. The caller writes its record first and then sets
/// the instance RUNNING again, so an instance that shows RUNNING never has a job record still running.
/// </summary>
internal sealed class BackupLoadJob(BackupRepository backups, InstanceRepository instances, BackupLoader loader)
{
    public async Task<BackupLoadOutcome> RunAsync(
        InstanceRecord? target,
        string backupId,
        Func<double, Task> progress,
        Func<string, Task> engineChosen,
        CancellationToken cancellationToken,
        MultiDbPolicy multiDb = MultiDbPolicy.Refuse)
    {
        try
        {
            if (target is null)
            {
                throw new RestoreFailedException("the instance no longer exists");
            }

            await instances.UpdateStatusAsync(target.Id, InstanceStatus.Restoring, cancellationToken).ConfigureAwait(false);
            var backup = await backups.GetByIdAsync(backupId, cancellationToken).ConfigureAwait(false)
                ?? throw new RestoreFailedException("the backup no longer exists");
            var result = await loader.LoadAsync(backup, target, progress, engineChosen, cancellationToken, multiDb).ConfigureAwait(false);
            return new BackupLoadOutcome(result, null, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return BackupLoader.ReasonOf(ex) is { } reason
                ? new BackupLoadOutcome(null, reason, null)
                : new BackupLoadOutcome(null, BackupLoader.InternalErrorReason(ex), ex);
        }
    }
}
