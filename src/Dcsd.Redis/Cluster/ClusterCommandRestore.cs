using System.Diagnostics;
using Dcsd.Rdb;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Restore;
using Dcsd.Redis.Topology;

namespace Dcsd.Redis.Cluster;

/// <summary>
/// Restores RDB files into a Redis Cluster with pipelined RESTORE commands (native command batches for big values, as
/// <see cref="CommandRestore"/> does for one node), each key sent to the master owning its slot. The source can be a
/// standalone or master/standby backup (one file) or a cluster backup with any shard count (one file per source shard):
/// keys are routed by slot, so the target's shard count does not matter. Every master is flushed first (FLUSHALL,
/// FUNCTION FLUSH) and gets every function library (functions are per node in a cluster).
/// </summary>
public static class ClusterCommandRestore
{
    public static Task<ClusterRestoreResult> RunAsync(Stream rdb, Deployment target, string? password, ClusterRestoreOptions? options, IProgress<double>? progress, CancellationToken cancellationToken) =>
        RunAsync([rdb], target, password, options, progress, cancellationToken);

    /// <summary>
    /// Streams each file once, in order, through one set of per-shard connections. <paramref name="target"/> must be a
    /// cluster whose shards cover all 16384 slots (discover it right before: a stale map makes masters answer MOVED, which
    /// fails the restore with <see cref="RedisFailureKind.Refused"/>). Failures are <see cref="RedisFailureException"/>s naming
    /// the master's host:port, the key and the reply; the cluster then holds a partial restore.
    /// </summary>
    public static async Task<ClusterRestoreResult> RunAsync(IReadOnlyList<Stream> rdbs, Deployment target, string? password, ClusterRestoreOptions? options, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rdbs);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new ClusterRestoreOptions();
        var clock = Stopwatch.StartNew();
        short[] owners = CheckTarget(target);
        var connections = new List<RedisNodeClient>();
        var pipelines = new List<TargetPipeline>();
        try
        {
            RestoreCapabilities capabilities = new(int.MaxValue, true);
            foreach (ShardInfo shard in target.Shards)
            {
                var endpoint = new RestoreTarget
                {
                    Host = shard.Master.Host,
                    Port = shard.Master.Port,
                    Password = password,
                    ConnectTimeout = options.ConnectTimeout,
                    IdleTimeout = options.IdleTimeout,
                };
                RedisNodeClient connection = await RedisNodeClient.ConnectAsync(endpoint.Address, cancellationToken).ConfigureAwait(false);
                connections.Add(connection);
                TargetServerInfo server = await TargetServerInfo.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
                if (!server.ClusterEnabled || !server.SupportsAbsoluteTtl)
                {
                    throw new RedisFailureException(RedisFailureKind.Incompatible, $"{endpoint} ({shard}) is {(server.ClusterEnabled ? "Redis " + server.RedisVersion + "; RESTORE … ABSTTL needs 5.0 or later" : "not cluster-enabled")}");
                }

                // Every master must read what is sent: the lowest RDB version and functions only if all have them.
                capabilities = new RestoreCapabilities(Math.Min(capabilities.RdbVersion, server.RdbVersion), capabilities.SupportsFunctions && server.SupportsFunctions);
            }

            // After the masters answered (a wrong password fails before the files are read), before anything is written.
            await CheckDatabasesAsync(rdbs, options, cancellationToken).ConfigureAwait(false);
            foreach (RedisNodeClient connection in connections)
            {
                pipelines.Add(new TargetPipeline(connection, options.Restore.MaxBytesInFlight, options.Restore.FlushBytes, cancellationToken));
            }

            using var sink = new ClusterRestoreSink([.. pipelines], owners);
            return await WriteFilesAsync(rdbs, sink, capabilities, options, progress, clock, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (TargetPipeline pipeline in pipelines)
            {
                pipeline.Dispose();
            }

            foreach (RedisNodeClient connection in connections)
            {
                connection.Dispose();
            }
        }
    }

    private static async Task<ClusterRestoreResult> WriteFilesAsync(
        IReadOnlyList<Stream> rdbs,
        ClusterRestoreSink sink,
        RestoreCapabilities capabilities,
        ClusterRestoreOptions options,
        IProgress<double>? progress,
        Stopwatch clock,
        CancellationToken cancellationToken)
    {
        long? total = rdbs.All(rdb => rdb.CanSeek) ? rdbs.Sum(rdb => rdb.Length - rdb.Position) : null;
        long done = 0, keys = 0, skipped = 0;
        Func<int, int?> mapDatabase = options.MultiDbPolicy switch
        {
            MultiDbPolicy.Merge => _ => 0,
            MultiDbPolicy.Db0Only => db => db == 0 ? 0 : null,
            _ => db => db == 0 ? 0 : throw Refusal([db]),
        };
        for (int file = 0; file < rdbs.Count; file++)
        {
            CommandRestoreOptions restore = options.Restore;
            if (file > 0)
            {
                // Flush once, before the first file only: later files add to what the earlier ones wrote.
                restore = restore with { FlushTarget = false };
            }

            using var writer = new RdbRestoreWriter(sink, capabilities, restore, mapDatabase: mapDatabase);
            using var reader = new RdbReader(rdbs[file]);
            long before = done;
            Action<long>? report = progress is null || total is not > 0 ? null : offset => progress.Report(Math.Min(1.0, (double)(before + offset) / total.Value));
            try
            {
                RestoreWriteSummary summary = await writer.WriteAsync(reader, report, cancellationToken).ConfigureAwait(false);
                keys += summary.Keys;
                skipped += summary.OtherDatabaseSkipped;
            }
            catch (RdbFormatException ex)
            {
                throw new RedisFailureException(RedisFailureKind.Corrupt, $"RDB file {file + 1} of {rdbs.Count} is not valid: {ex.Message}", ex);
            }

            done += reader.Offset;
        }

        return new ClusterRestoreResult(keys, [.. sink.KeysPerShard], skipped, done, clock.Elapsed);
    }

    /// <summary>The slot → shard map; the target must be a cluster owning every slot.</summary>
    private static short[] CheckTarget(Deployment target)
    {
        if (target.Mode != DeploymentMode.Cluster)
        {
            throw new RedisFailureException(RedisFailureKind.Incompatible, $"the target is {target.Mode}, not a cluster; use CommandRestore");
        }

        short[] owners = target.SlotOwners();
        int uncovered = Array.IndexOf(owners, (short)-1);
        if (uncovered >= 0)
        {
            throw new RedisFailureException(RedisFailureKind.Incompatible, $"no shard of the target owns slot {uncovered}; every slot must be served to restore");
        }

        return owners;
    }

    /// <summary>Under <see cref="MultiDbPolicy.Refuse"/>, fails before anything is written when the databases are known or can be scanned.</summary>
    private static async Task CheckDatabasesAsync(IReadOnlyList<Stream> rdbs, ClusterRestoreOptions options, CancellationToken cancellationToken)
    {
        if (options.MultiDbPolicy != MultiDbPolicy.Refuse)
        {
            return;
        }

        var databases = new SortedSet<int>(options.SourceDatabases ?? []);
        if (options.SourceDatabases is null && rdbs.All(rdb => rdb.CanSeek))
        {
            foreach (Stream rdb in rdbs)
            {
                long start = rdb.Position;
                await Task.Run(
                    () =>
                    {
                        try
                        {
                            using var reader = new RdbReader(rdb);
                            while (reader.Read() is { } entry)
                            {
                                cancellationToken.ThrowIfCancellationRequested();
                                databases.Add(entry.Db);
                                entry.Skip();
                            }
                        }
                        catch (RdbFormatException ex)
                        {
                            throw new RedisFailureException(RedisFailureKind.Corrupt, $"the RDB is not valid: {ex.Message}", ex);
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
                rdb.Position = start;
            }
        }

        databases.Remove(0);
        if (databases.Count > 0)
        {
            throw Refusal(databases);
        }
    }

    private static RedisFailureException Refusal(IEnumerable<int> databases) =>
        new(RedisFailureKind.Incompatible, $"the backup holds keys in database(s) {string.Join(", ", databases)}; a cluster has only database 0 (choose MultiDbPolicy Db0Only or Merge to restore it anyway)");
}
