using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dcsd.Redis.Cluster;
using Dcsd.Redis.Restore;
using Dcsd.Redis.Topology;
using Dcsd.Service.Backups;
using Dcsd.Service.Instances;
using Dcsd.Service.Jobs;
using Dcsd.Service.Persistence;
using Dcsd.Storage;

namespace Dcsd.Service.Restores;

/// <summary>What a load did: the engine that ran, the keys the target holds afterwards, and how long it took.</summary>
internal sealed record BackupLoadResult(string Engine, long Keys, TimeSpan Elapsed, BackupLoadPhases Phases);

/// <summary>Where a load's time went, for the log: a slow restore should say which step was slow.</summary>
internal sealed record BackupLoadPhases(TimeSpan FileCheck, TimeSpan Discovery, TimeSpan Load, TimeSpan KeyCount, TimeSpan Ready)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"file check {FileCheck.TotalMilliseconds:F0} ms, discovery {Discovery.TotalMilliseconds:F0} ms, load {Load.TotalMilliseconds:F0} ms, key count {KeyCount.TotalMilliseconds:F0} ms, standbys and health {Ready.TotalMilliseconds:F0} ms");
}

/// <summary>
/// Puts a backup's data into an instance, replacing what it held: the one operation behind both the DCS restore API and
/// the backup import (migration task) API. It picks the fastest engine the target can take, checks the key count against the
/// backup's census and returns only once the target's standbys are back in sync. Failures are <see cref="RestoreFailedException"/>s
/// (or the engines' own <see cref="RestoreException"/>s) whose message says what went wrong in words.
/// </summary>
internal sealed class BackupLoader(InstanceTopology topology, InstanceReadiness readiness, RedisAdmin admin, IBackupStore store, TimeProvider time)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <param name="progress">Receives 0 to 100.</param>
    /// <param name="engineChosen">Told the engine's name before the data moves, so the record can show it meanwhile.</param>
    /// <param name="multiDb">What to do with keys outside db0 when the target is a cluster (which has only db0).</param>
    public async Task<BackupLoadResult> LoadAsync(
        BackupRecord backup,
        InstanceRecord target,
        Func<double, Task> progress,
        Func<string, Task> engineChosen,
        CancellationToken cancellationToken,
        MultiDbPolicy multiDb = MultiDbPolicy.Refuse)
    {
        if (backup is not { Status: BackupStatus.Succeed, Manifest: { } manifestJson })
        {
            throw new RestoreFailedException("the backup is no longer restorable");
        }

        var manifest = JsonSerializer.Deserialize<BackupManifest>(manifestJson, BackupManifest.JsonOptions)
            ?? throw new RestoreFailedException("the backup's manifest is unreadable");
        var clock = Stopwatch.StartNew();
        await CheckFilesIntactAsync(backup, manifest, cancellationToken).ConfigureAwait(false);
        TimeSpan fileCheck = clock.Elapsed;
        var deployment = await topology.DiscoverAsync(target, cancellationToken).ConfigureAwait(false);
        TimeSpan discovered = clock.Elapsed;
        var reporter = new ThrottledProgress(fraction => progress(Math.Round(fraction * 100, 2)), ProgressInterval, time);
        string engine = deployment.Mode == DeploymentMode.Cluster
            ? await LoadIntoClusterAsync(backup, manifest, target, deployment, multiDb, reporter, engineChosen, cancellationToken).ConfigureAwait(false)
            : await LoadIntoMasterAsync(backup, manifest, target, deployment.Shards[0].Master, reporter, engineChosen, cancellationToken).ConfigureAwait(false);

        TimeSpan loaded = clock.Elapsed;
        long keys = await CountKeysAsync(target, deployment, cancellationToken).ConfigureAwait(false);
        CheckKeyCount(keys, backup.Census, manifest, deployment.Mode == DeploymentMode.Cluster ? multiDb : null);
        TimeSpan counted = clock.Elapsed;
        await readiness.WaitUntilReadyAsync(target, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        TimeSpan ready = clock.Elapsed;
        return new BackupLoadResult(engine, keys, ready, new BackupLoadPhases(fileCheck, discovered - fileCheck, loaded - discovered, counted - loaded, ready - counted));
    }

    /// <summary>
    /// Every file must still be, byte for byte, the one verified when the backup was taken (SHA-256 from the manifest)
    /// before anything is written: redis-server exits when a full sync hands it a damaged RDB, and RESTORE takes a damaged
    /// value's payload whole. A file changed on disk since fails the load with the target untouched.
    /// </summary>
    private async Task CheckFilesIntactAsync(BackupRecord backup, BackupManifest manifest, CancellationToken cancellationToken)
    {
        foreach (var file in manifest.Files)
        {
            await using var rdb = await store.OpenReadAsync(backup.FilePrefix + "/" + file.Name, cancellationToken).ConfigureAwait(false);
            using var sha256 = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
            long size = 0;
            try
            {
                int read;
                while ((read = await rdb.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    sha256.AppendData(buffer, 0, read);
                    size += read;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }

            string actual = Convert.ToHexStringLower(sha256.GetHashAndReset());
            if (size != file.Size || !string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new RestoreFailedException($"the backup file {file.Name} is damaged: it no longer matches the file verified when the backup was taken ({size} bytes, SHA-256 {actual}; recorded {file.Size} bytes, {file.Sha256}); nothing was written");
            }
        }
    }

    /// <summary>
    /// One file into a master/standby or single node: as its replication master when the target can take the file that
    /// way, else pipelined RESTOREs. A cluster backup's files go one after the other through RESTOREs, the target emptied once.
    /// </summary>
    private async Task<string> LoadIntoMasterAsync(
        BackupRecord backup, BackupManifest manifest, InstanceRecord target, NodeInfo master, ThrottledProgress progress, Func<string, Task> engineChosen, CancellationToken cancellationToken)
    {
        var redisTarget = new RestoreTarget { Host = master.Host, Port = master.Port, Password = target.Password };
        var engine = manifest.Files.Count == 1
            ? await RestoreEngineSelector.ChooseAsync(redisTarget, manifest.Files[0].RdbVersion, cancellationToken).ConfigureAwait(false)
            : RestoreEngineKind.RestoreCommands;
        await engineChosen(EngineName(engine)).ConfigureAwait(false);

        long totalBytes = Math.Max(1, manifest.TotalBytes);
        long doneBytes = 0;
        for (int index = 0; index < manifest.Files.Count; index++)
        {
            var file = manifest.Files[index];
            long before = doneBytes;
            var fileProgress = new FractionProgress(fraction => progress.Report((before + (fraction * file.Size)) / totalBytes));
            await using var rdb = await store.OpenReadAsync(backup.FilePrefix + "/" + file.Name, cancellationToken).ConfigureAwait(false);
            _ = engine == RestoreEngineKind.Replication
                ? await ReplicationRestore.RunAsync(rdb, file.Size, redisTarget, fileProgress, cancellationToken).ConfigureAwait(false)
                : await CommandRestore.RunAsync(rdb, redisTarget, new CommandRestoreOptions { FlushTarget = index == 0 }, fileProgress, cancellationToken).ConfigureAwait(false);
            doneBytes += file.Size;
        }

        return EngineName(engine);
    }

    /// <summary>Every file of the backup, whatever its shard count, through slot-routed RESTOREs into the cluster's masters.</summary>
    private async Task<string> LoadIntoClusterAsync(
        BackupRecord backup,
        BackupManifest manifest,
        InstanceRecord target,
        Deployment deployment,
        MultiDbPolicy multiDb,
        ThrottledProgress progress,
        Func<string, Task> engineChosen,
        CancellationToken cancellationToken)
    {
        await engineChosen(EngineName(RestoreEngineKind.RestoreCommands)).ConfigureAwait(false);
        var streams = new List<Stream>();
        try
        {
            foreach (var file in manifest.Files)
            {
                streams.Add(await store.OpenReadAsync(backup.FilePrefix + "/" + file.Name, cancellationToken).ConfigureAwait(false));
            }

            var options = new ClusterRestoreOptions
            {
                MultiDbPolicy = multiDb,
                SourceDatabases = manifest.Files.All(file => file.Databases is not null) ? [.. manifest.Files.SelectMany(file => file.Databases!).Distinct()] : null,
            };
            await ClusterCommandRestore.RunAsync(streams, deployment, target.Password, options, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }

        return EngineName(RestoreEngineKind.RestoreCommands);
    }

    /// <summary>The keys the target's masters hold now, over every database (INFO keyspace).</summary>
    private async Task<long> CountKeysAsync(InstanceRecord target, Deployment deployment, CancellationToken cancellationToken)
    {
        long keys = 0;
        foreach (var shard in deployment.Shards)
        {
            string info = await admin.InfoAsync(target, InstanceTopology.AsRecord(shard.Master), "keyspace", cancellationToken).ConfigureAwait(false);
            foreach (string line in info.Split('\n'))
            {
                // db0:keys=123,expires=4,avg_ttl=0
                int start = line.IndexOf(":keys=", StringComparison.Ordinal);
                if (line.StartsWith("db", StringComparison.Ordinal) && start > 0)
                {
                    int end = line.IndexOf(',', start);
                    keys += long.Parse(line.AsSpan(start + 6, (end < 0 ? line.TrimEnd().Length : end) - start - 6), CultureInfo.InvariantCulture);
                }
            }
        }

        return keys;
    }

    /// <summary>
    /// Every key of the backup without a TTL must be back, and nothing more than the backup held: keys with a TTL may have
    /// expired between the backup and now. Into a cluster, <see cref="MultiDbPolicy.Db0Only"/> counts db0 only, and
    /// <see cref="MultiDbPolicy.Merge"/> only the upper bound (equal names in two databases become one key).
    /// </summary>
    private static void CheckKeyCount(long actual, string? censusJson, BackupManifest manifest, MultiDbPolicy? intoCluster)
    {
        bool db0Only = intoCluster == MultiDbPolicy.Db0Only;
        long live = manifest.Files.Sum(file => file.Keys - file.AlreadyExpired);
        long withTtl = manifest.Files.Sum(file => file.Expires - file.AlreadyExpired);
        if (censusJson is not null && JsonNode.Parse(censusJson)?["databases"] is JsonArray databases)
        {
            var counted = databases.Where(db => !db0Only || (int)db!["db"]! == 0).ToList();
            live = counted.Sum(db => (long)db!["keys"]! - (long)db["already_expired"]!);
            withTtl = counted.Sum(db => (long)db!["expires"]! - (long)db["already_expired"]!);
        }

        if (actual > live || (intoCluster != MultiDbPolicy.Merge && actual < live - withTtl))
        {
            throw new RestoreFailedException($"the instance holds {actual} keys after the restore, the backup {live} ({withTtl} of them with a TTL)");
        }
    }

    /// <summary>Why a load failed, in words fit for the record; null when the failure is unexpected (a bug: log it).</summary>
    public static string? ReasonOf(Exception ex) => ex switch
    {
        RestoreFailedException or RestoreException => ex.Message,
        TopologyException topologyFailure => "the instance's nodes could not be read: " + topologyFailure.Message,
        BackupFileNotFoundException => "the backup's file is missing from the store",
        _ => null,
    };

    public static string InternalErrorReason(Exception ex) => "internal error (" + ex.GetType().Name + "), see the dcsd log";

    private static string EngineName(RestoreEngineKind engine) => engine == RestoreEngineKind.Replication ? "replication" : "restore";
}

/// <summary>A fraction of one file's load, reported as part of the whole.</summary>
internal sealed class FractionProgress(Action<double> report) : IProgress<double>
{
    public void Report(double value) => report(value);
}

internal sealed class RestoreFailedException(string message) : Exception(message);
