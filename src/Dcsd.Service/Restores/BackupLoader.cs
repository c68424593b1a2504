using System.Text.Json;
using System.Text.Json.Nodes;
using Dcsd.Redis.Restore;
using Dcsd.Service.Backups;
using Dcsd.Service.Instances;
using Dcsd.Service.Jobs;
using Dcsd.Service.Store;
using Dcsd.Storage;

namespace Dcsd.Service.Restores;

/// <summary>What a load did: the engine that ran, the keys the target holds afterwards, and how long it took.</summary>
internal sealed record BackupLoadResult(string Engine, long Keys, TimeSpan Elapsed);

/// <summary>
/// Puts a backup's data into an instance, replacing what it held: the one operation behind both the DCS restore API and
/// the backup import (migration task) API. It picks the fastest engine the target can take, checks the key count against the
/// backup's census and returns only once the target's standbys are back in sync. Failures are <see cref="RestoreFailedException"/>s
/// (or the engines' own <see cref="RestoreException"/>s) whose message says what went wrong in words.
/// </summary>
internal sealed class BackupLoader(InstanceReadiness readiness, IBackupStore store, TimeProvider time)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <param name="progress">Receives 0 to 100.</param>
    /// <param name="engineChosen">Told the engine's name before the data moves, so the record can show it meanwhile.</param>
    public async Task<BackupLoadResult> LoadAsync(
        BackupRecord backup, InstanceRecord target, Func<double, Task> progress, Func<string, Task> engineChosen, CancellationToken cancellationToken)
    {
        if (backup is not { Status: BackupStatus.Succeed, Manifest: { } manifestJson })
        {
            throw new RestoreFailedException("the backup is no longer restorable");
        }

        var manifest = JsonSerializer.Deserialize<BackupManifest>(manifestJson, BackupManifest.JsonOptions)
            ?? throw new RestoreFailedException("the backup's manifest is unreadable");
        var file = manifest.Files.Single();
        var master = target.Master ?? throw new RestoreFailedException("the instance has no master node");
        var redisTarget = new RestoreTarget { Host = "127.0.0.1", Port = master.Port, Password = target.Password };
        var engine = await RestoreEngineSelector.ChooseAsync(redisTarget, file.RdbVersion, cancellationToken).ConfigureAwait(false);
        await engineChosen(EngineName(engine)).ConfigureAwait(false);

        var reporter = new ThrottledProgress(fraction => progress(Math.Round(fraction * 100, 2)), ProgressInterval, time);
        RestoreResult result;
        await using (var rdb = await store.OpenReadAsync(backup.FilePrefix + "/" + file.Name, cancellationToken).ConfigureAwait(false))
        {
            result = engine == RestoreEngineKind.Replication
                ? await ReplicationRestore.RunAsync(rdb, file.Size, redisTarget, reporter, cancellationToken).ConfigureAwait(false)
                : await CommandRestore.RunAsync(rdb, redisTarget, null, reporter, cancellationToken).ConfigureAwait(false);
        }

        CheckKeyCount(result.Keys, backup.Census, file.Keys);
        await readiness.WaitUntilReadyAsync(target, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        return new BackupLoadResult(EngineName(engine), result.Keys, result.Elapsed);
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
            throw new RestoreFailedException($"the instance holds {actual} keys after the restore, the backup {live} ({withTtl} of them with a TTL)");
        }
    }

    /// <summary>Why a load failed, in words fit for the record; null when the failure is unexpected (a bug: log it).</summary>
    public static string? ReasonOf(Exception ex) => ex switch
    {
        RestoreFailedException or RestoreException => ex.Message,
        BackupFileNotFoundException => "the backup's file is missing from the store",
        _ => null,
    };

    public static string InternalErrorReason(Exception ex) => "internal error (" + ex.GetType().Name + "), see the dcsd log";

    private static string EngineName(RestoreEngineKind engine) => engine == RestoreEngineKind.Replication ? "replication" : "restore";
}

internal sealed class RestoreFailedException(string message) : Exception(message);
