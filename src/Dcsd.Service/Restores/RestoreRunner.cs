using System.Text.Json;
using System.Text.Json.Nodes;
using Dcsd.Redis.Restore;
using Dcsd.Service.Backups;
using Dcsd.Service.Instances;
using Dcsd.Service.Jobs;
using Dcsd.Service.Store;
using Dcsd.Storage;
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
    InstanceReadiness readiness,
    IBackupStore store,
    TimeProvider time,
    ILogger<RestoreRunner> logger)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

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
            var backup = await backups.GetByIdAsync(restore.BackupId, cancellationToken).ConfigureAwait(false);
            if (backup is not { Status: BackupStatus.Succeed, Manifest: { } manifestJson })
            {
                throw new RestoreFailedException("the backup is no longer restorable");
            }

            var manifest = JsonSerializer.Deserialize<BackupManifest>(manifestJson, BackupManifest.JsonOptions)!;
            var file = manifest.Files.Single();
            var result = await LoadAsync(restore, instance, backup, file, cancellationToken).ConfigureAwait(false);
            restore = restore with { Engine = EngineName(result.Engine) };
            CheckKeyCount(result.Keys, backup.Census, file.Keys);
            await readiness.WaitUntilReadyAsync(instance, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            Log.RestoreSucceeded(logger, restore.Id, instance.Id, restore.Engine, result.Keys, (long)result.Elapsed.TotalMilliseconds);
            restore = restore with { Status = RestoreStatus.Succeed, Progress = 100, ErrorCode = null, ErrorMessage = null, UpdatedAt = time.GetUtcNow() };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            string reason = ex switch
            {
                RestoreFailedException or RestoreException or RestoreKeyCountException => ex.Message,
                BackupFileNotFoundException => "the backup's file is missing from the store",
                _ => "internal error (" + ex.GetType().Name + "), see the dcsd log",
            };
            if (reason.StartsWith("internal error", StringComparison.Ordinal))
            {
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

    private async Task<RestoreResult> LoadAsync(RestoreRecord restore, InstanceRecord instance, BackupRecord backup, BackupManifestFile file, CancellationToken cancellationToken)
    {
        var master = instance.Master ?? throw new RestoreFailedException("the instance has no master node");
        var target = new RestoreTarget { Host = "127.0.0.1", Port = master.Port, Password = instance.Password };
        var engine = await RestoreEngineSelector.ChooseAsync(target, file.RdbVersion, cancellationToken).ConfigureAwait(false);
        await restores.UpdateAsync(restore with { Engine = EngineName(engine) }, cancellationToken).ConfigureAwait(false);
        var progress = new ThrottledProgress(fraction => restores.UpdateProgressAsync(restore.Id, Math.Round(fraction * 100, 2), CancellationToken.None), ProgressInterval, time);
        await using var rdb = await store.OpenReadAsync(backup.FilePrefix + "/" + file.Name, cancellationToken).ConfigureAwait(false);
        return engine == RestoreEngineKind.Replication
            ? await ReplicationRestore.RunAsync(rdb, file.Size, target, progress, cancellationToken).ConfigureAwait(false)
            : await CommandRestore.RunAsync(rdb, target, null, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every key of the backup without a TTL must be back, and nothing more than the backup held: keys with a TTL may have
    /// expired between the backup and now.
    /// </summary>
    private static void CheckKeyCount(long actual, string? censusJson, long manifestKeys)
    {
        long live = manifestKeys;
        long withTtl = manifestKeys;
        if (censusJson is not null && JsonNode.Parse(censusJson)?["databases"] is JsonArray databases)
        {
            live = databases.Sum(db => (long)db!["keys"]! - (long)db["already_expired"]!);
            withTtl = databases.Sum(db => (long)db!["expires"]! - (long)db["already_expired"]!);
        }

        if (actual > live || actual < live - withTtl)
        {
            throw new RestoreKeyCountException($"the instance holds {actual} keys after the restore, the backup {live} ({withTtl} of them with a TTL)");
        }
    }

    private static string EngineName(RestoreEngineKind engine) => engine == RestoreEngineKind.Replication ? "replication" : "restore";
}

internal sealed class RestoreFailedException(string message) : Exception(message);

internal sealed class RestoreKeyCountException(string message) : Exception(message);
