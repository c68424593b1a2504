using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dcsd.Rdb;
using Dcsd.Redis.Cluster;
using Dcsd.Redis.Replication;
using Dcsd.Redis.Topology;
using Dcsd.Service.Instances;
using Dcsd.Service.Jobs;
using Dcsd.Service.Persistence;
using Dcsd.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Backups;

/// <summary>
/// Runs one backup: snapshot from the chosen node, verified while it streams into the store, committed, then the manifest
/// (the commit marker), then the record says succeed. Any failure leaves the record failed and no file behind.
/// </summary>
internal sealed class BackupRunner(
    BackupRepository backups,
    InstanceRepository instances,
    IBackupStore store,
    InstanceTopology topology,
    SnapshotSourceSelector sourceSelector,
    RedisAdmin admin,
    IOptions<DcsdOptions> options,
    TimeProvider time,
    ILogger<BackupRunner> logger)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    public async Task RunAsync(string backupId, CancellationToken cancellationToken)
    {
        var backup = await backups.GetByIdAsync(backupId, cancellationToken).ConfigureAwait(false);
        if (backup is not { Status: BackupStatus.Waiting })
        {
            return;
        }

        backup = backup with { Status = BackupStatus.Backuping, ExecutionAt = time.GetUtcNow(), UpdatedAt = time.GetUtcNow() };
        await backups.UpdateAsync(backup, cancellationToken).ConfigureAwait(false);
        try
        {
            var instance = await instances.GetByIdAsync(backup.InstanceId, cancellationToken).ConfigureAwait(false)
                ?? throw new BackupFailedException(JobErrorCodes.ToolFailed, "the instance no longer exists");
            var manifest = await SnapshotAsync(backup, instance, cancellationToken).ConfigureAwait(false);
            await CommitManifestAsync(backup, manifest, cancellationToken).ConfigureAwait(false);
            await backups.UpdateAsync(Succeeded(backup, manifest), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var (code, reason) = Classify(ex);
            if (code == JobErrorCodes.ToolFailed && reason.StartsWith("internal error", StringComparison.Ordinal))
            {
                Log.BackupCrashed(logger, ex, backup.Id);
            }

            await store.DeletePrefixAsync(backup.FilePrefix, CancellationToken.None).ConfigureAwait(false);
            Log.BackupFailed(logger, backup.Id, code, reason);
            var failed = backup with { Status = BackupStatus.Failed, ErrorCode = code, ErrorMessage = reason, UpdatedAt = time.GetUtcNow() };
            await backups.UpdateAsync(failed, CancellationToken.None).ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }
        }
    }

    /// <summary>
    /// Settles a backup a previous dcsd left running: if its manifest was committed the backup is complete and is marked
    /// succeed; otherwise whatever it wrote is removed and it is marked failed.
    /// </summary>
    public async Task SettleInterruptedAsync(BackupRecord backup, CancellationToken cancellationToken)
    {
        var manifest = await ReadManifestAsync(backup, cancellationToken).ConfigureAwait(false);
        if (manifest is not null)
        {
            await backups.UpdateAsync(Succeeded(backup, manifest, census: null), cancellationToken).ConfigureAwait(false);
            return;
        }

        Log.BackupInterrupted(logger, backup.Id);
        await store.DeletePrefixAsync(backup.FilePrefix, cancellationToken).ConfigureAwait(false);
        var failed = backup with
        {
            Status = BackupStatus.Failed,
            ErrorCode = JobErrorCodes.ToolFailed,
            ErrorMessage = "dcsd stopped during the backup",
            UpdatedAt = time.GetUtcNow(),
        };
        await backups.UpdateAsync(failed, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BackupManifest?> ReadManifestAsync(BackupRecord backup, CancellationToken cancellationToken)
    {
        string key = backup.FilePrefix + "/" + BackupManifest.FileName;
        if (!await store.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        await using var stream = await store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        try
        {
            return await JsonSerializer.DeserializeAsync<BackupManifest>(stream, BackupManifest.JsonOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<(BackupManifest Manifest, RdbCensus Census)> SnapshotAsync(BackupRecord backup, InstanceRecord instance, CancellationToken cancellationToken)
    {
        var deployment = await topology.DiscoverAsync(instance, cancellationToken).ConfigureAwait(false);
        var choices = await sourceSelector.ChooseAsync(instance, deployment, cancellationToken).ConfigureAwait(false);
        bool cluster = deployment.Mode == DeploymentMode.Cluster;
        var expectedBytes = await Task.WhenAll(choices.Select(choice => EstimateRdbBytesAsync(instance, choice.Node, cancellationToken))).ConfigureAwait(false);
        var received = new long[choices.Count];
        var progress = new ThrottledProgress(fraction => backups.UpdateProgressAsync(backup.Id, Math.Round(fraction * 100, 2), CancellationToken.None), ProgressInterval, time)
            .OfTotal(expectedBytes.Sum());
        var files = new BackupManifestFile[choices.Count];
        var censuses = new RdbCensus[choices.Count];
        foreach (var choice in choices)
        {
            Log.BackupStarted(logger, backup.Id, instance.Id, choice.Shard.Index, choice.Node);
        }

        var started = Stopwatch.StartNew();
        var result = await ClusterSnapshot.TakeAsync(
            choices,
            instance.Password,
            async (choice, source, forked, token) =>
            {
                int index = choice.Shard.Index;
                string fileName = FileName(choice, cluster, backup.CreatedAt);
                var bytesReceived = new ShardBytesProgress(received, index, progress, forked);
                await using var writer = await store.CreateAsync(backup.FilePrefix + "/" + fileName, token).ConfigureAwait(false);
                var (snapshot, census) = await VerifiedSnapshot.TakeAsync(source, writer.Stream, bytesReceived, token).ConfigureAwait(false);
                await writer.CommitAsync(token).ConfigureAwait(false);
                censuses[index] = census;
                files[index] = BackupManifestFile.Of(fileName, choice, cluster, snapshot, census);
                return snapshot;
            },
            Math.Max(1, options.Value.MaxParallelShardSnapshots),
            new ClusterSnapshotOptions
            {
                WritePause = cluster ? options.Value.ClusterWritePause : null,
                IdleTimeout = options.Value.SnapshotIdleTimeout,
                TotalTimeout = options.Value.SnapshotTotalTimeout,
            },
            cancellationToken).ConfigureAwait(false);

        var combined = RdbCensusCombiner.Combine(censuses);
        long totalBytes = files.Sum(f => f.Size);
        Log.BackupSucceeded(logger, backup.Id, totalBytes, combined.RdbVersion, combined.TotalKeys, started.ElapsedMilliseconds);
        var manifest = new BackupManifest(
            backup.Id,
            backup.ProjectId,
            backup.InstanceId,
            backup.BackupFormat,
            backup.CreatedAt,
            time.GetUtcNow(),
            files,
            cluster ? BackupManifest.ClusterMode : BackupManifest.MasterStandbyMode,
            result.ConsistentCut,
            result.ConsistentCut is null ? null : (long)result.WritesPaused.TotalMilliseconds);
        return (manifest, combined);
    }

    /// <summary>DCS's names: redis_{ip}_{port}_{timestamp}.rdb, and for a cluster shard redis_{ip}_{port}_{slotStart}-{slotEnd}_{timestamp}.rdb.</summary>
    private static string FileName(SnapshotSourceChoice choice, bool cluster, DateTimeOffset createdAt)
    {
        string slots = cluster
            ? string.Create(CultureInfo.InvariantCulture, $"_{choice.Shard.Slots[0].Start}-{choice.Shard.Slots[^1].End}")
            : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"redis_{choice.Node.Host}_{choice.Node.Port}{slots}_{createdAt.UtcDateTime:yyyyMMddHHmmss}.rdb");
    }

    /// <summary>One shard's bytes received, reported as the sum over all shards (and passed on to the consistent cut, if any).</summary>
    private sealed class ShardBytesProgress(long[] received, int index, IProgress<long> total, IProgress<long>? forked) : IProgress<long>
    {
        public void Report(long value)
        {
            forked?.Report(value);
            Volatile.Write(ref received[index], value);
            long sum = 0;
            for (int i = 0; i < received.Length; i++)
            {
                sum += Volatile.Read(ref received[i]);
            }

            total.Report(sum);
        }
    }

    private async Task CommitManifestAsync(BackupRecord backup, (BackupManifest Manifest, RdbCensus Census) result, CancellationToken cancellationToken)
    {
        await using var writer = await store.CreateAsync(backup.FilePrefix + "/" + BackupManifest.FileName, cancellationToken).ConfigureAwait(false);
        await JsonSerializer.SerializeAsync(writer.Stream, result.Manifest, BackupManifest.JsonOptions, cancellationToken).ConfigureAwait(false);
        await writer.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private BackupRecord Succeeded(BackupRecord backup, (BackupManifest Manifest, RdbCensus Census) result) =>
        Succeeded(backup, result.Manifest, result.Census);

    private BackupRecord Succeeded(BackupRecord backup, BackupManifest manifest, RdbCensus? census) => backup with
    {
        Status = BackupStatus.Succeed,
        Progress = 100,
        Size = manifest.TotalBytes,
        Manifest = JsonSerializer.Serialize(manifest, BackupManifest.JsonOptions),
        Census = census is null ? null : JsonSerializer.Serialize(census),
        ErrorCode = null,
        ErrorMessage = null,
        UpdatedAt = time.GetUtcNow(),
    };

    /// <summary>The RDB is usually a little smaller than the dataset in memory; good enough to show progress.</summary>
    private async Task<long> EstimateRdbBytesAsync(InstanceRecord instance, NodeInfo node, CancellationToken cancellationToken)
    {
        string info = await admin.InfoAsync(instance, InstanceTopology.AsRecord(node), "memory", cancellationToken).ConfigureAwait(false);
        foreach (string line in info.Split('\n'))
        {
            if (line.StartsWith("used_memory_dataset:", StringComparison.Ordinal)
                && long.TryParse(line.AsSpan("used_memory_dataset:".Length).Trim(), CultureInfo.InvariantCulture, out long bytes))
            {
                return Math.Max(bytes, 1);
            }
        }

        return 1;
    }

    private static (string Code, string Reason) Classify(Exception ex) => ex switch
    {
        BackupFailedException failed => (failed.ErrorCode, failed.Message),
        SnapshotException { Reason: SnapshotFailure.Timeout } snapshot => (JobErrorCodes.Timeout, snapshot.Message),
        SnapshotException snapshot => (JobErrorCodes.ToolFailed, snapshot.Message),
        ClusterSnapshotException { InnerException: SnapshotException { Reason: SnapshotFailure.Timeout } } shard => (JobErrorCodes.Timeout, shard.Message),
        ClusterSnapshotException { InnerException: RdbFormatException format } shard =>
            (JobErrorCodes.ToolFailed, $"the snapshot of {shard.Shard} is not a valid RDB file: {format.Message}"),
        ClusterSnapshotException shard => (JobErrorCodes.ToolFailed, shard.Message),
        TopologyException topologyFailure => (JobErrorCodes.ToolFailed, "the instance's nodes could not be read: " + topologyFailure.Message),
        RdbFormatException format => (JobErrorCodes.ToolFailed, "the snapshot is not a valid RDB file: " + format.Message),
        OperationCanceledException => (JobErrorCodes.ToolFailed, "dcsd stopped during the backup"),
        StackExchange.Redis.RedisException redis => (JobErrorCodes.ToolFailed, "the instance did not answer: " + redis.Message),
        IOException io => (JobErrorCodes.ToolFailed, "storage error: " + io.Message),
        _ => (JobErrorCodes.ToolFailed, "internal error (" + ex.GetType().Name + "), see the dcsd log"),
    };
}

internal sealed class BackupFailedException(string errorCode, string message) : Exception(message)
{
    public string ErrorCode { get; } = errorCode;
}
