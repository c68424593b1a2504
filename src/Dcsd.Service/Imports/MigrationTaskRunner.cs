using Dcsd.Service.Restores;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Imports;

/// <summary>
/// Runs one backup import: the target instance shows RESTORING while <see cref="BackupLoader"/> puts the backup's data into it
/// (key count checked, standbys back in sync), then the task is SUCCESS or FAILED with its reason. Whatever happens, the target
/// ends RUNNING.
/// </summary>
internal sealed class MigrationTaskRunner(
    MigrationTaskRepository tasks,
    InstanceRepository instances,
    BackupLoadJob job,
    TimeProvider time,
    ILogger<MigrationTaskRunner> logger)
{
    public async Task RunAsync(string taskId, CancellationToken cancellationToken)
    {
        var task = await tasks.GetByIdAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (task is not { Status: MigrationTaskStatus.Migrating })
        {
            return;
        }

        var target = await instances.GetByIdAsync(task.TargetInstanceId, cancellationToken).ConfigureAwait(false);
        try
        {
            var outcome = await job.RunAsync(
                target,
                task.BackupId,
                percent => tasks.UpdateProgressAsync(task.Id, percent, CancellationToken.None),
                engine =>
                {
                    task = task with { Engine = engine };
                    return tasks.UpdateAsync(task, cancellationToken);
                },
                cancellationToken,
                MultiDbPolicies.Parse(task.MultiDbPolicy)).ConfigureAwait(false);
            if (outcome.Unexpected is not null)
            {
                Log.MigrationTaskCrashed(logger, outcome.Unexpected, task.Id);
            }

            if (outcome.Result is { } result)
            {
                Log.MigrationTaskSucceeded(logger, task.Id, task.BackupId, task.TargetInstanceId, result.Engine, result.Keys, (long)result.Elapsed.TotalMilliseconds, result.Phases);
                task = task with { Status = MigrationTaskStatus.Success, Progress = 100, ErrorMessage = null, UpdatedAt = time.GetUtcNow() };
            }
            else
            {
                Log.MigrationTaskFailed(logger, task.Id, outcome.FailureReason!);
                task = task with { Status = MigrationTaskStatus.Failed, ErrorMessage = outcome.FailureReason, UpdatedAt = time.GetUtcNow() };
            }
        }
        finally
        {
            // On shutdown the task stays MIGRATING here; the next start fails it (FailInterruptedAsync).
            await tasks.UpdateAsync(task, CancellationToken.None).ConfigureAwait(false);
            if (target is not null)
            {
                await instances.UpdateStatusAsync(target.Id, InstanceStatus.Running, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A task a previous dcsd left running: the target's data is whatever the cut-short load left, and the task says so.</summary>
    public async Task FailInterruptedAsync(MigrationTaskRecord task, CancellationToken cancellationToken)
    {
        Log.MigrationTaskInterrupted(logger, task.Id);
        var failed = task with
        {
            Status = MigrationTaskStatus.Failed,
            ErrorMessage = "dcsd stopped during the import; the target instance's data may be incomplete, import the backup again",
            UpdatedAt = time.GetUtcNow(),
        };
        await tasks.UpdateAsync(failed, cancellationToken).ConfigureAwait(false);
        await instances.UpdateStatusAsync(task.TargetInstanceId, InstanceStatus.Running, cancellationToken).ConfigureAwait(false);
    }
}
