using Dcsd.Redis.Protocol;
using Dcsd.Redis.Restore;

namespace Dcsd.Redis.Cluster;

/// <summary>What to do with keys outside database 0: a cluster has only db 0.</summary>
public enum MultiDbPolicy
{
    /// <summary>
    /// Refuse a backup holding keys in any other database, with <see cref="RedisFailureKind.Incompatible"/> naming them,
    /// before the cluster is touched (see <see cref="ClusterRestoreOptions.SourceDatabases"/> for when that is known up front).
    /// </summary>
    Refuse,

    /// <summary>Restore db 0 only; the keys of other databases are counted and left out.</summary>
    Db0Only,

    /// <summary>Restore every database into db 0. A key name present in several databases ends up with the value of the last one in the file.</summary>
    Merge,
}

/// <summary>Tuning of <see cref="ClusterCommandRestore"/>.</summary>
public sealed class ClusterRestoreOptions
{
    public MultiDbPolicy MultiDbPolicy { get; init; } = MultiDbPolicy.Refuse;

    /// <summary>
    /// The databases the backup holds keys in, when already known (e.g. from the backup's manifest). Under
    /// <see cref="MultiDbPolicy.Refuse"/> it lets the check happen before anything is written. When null, seekable streams
    /// are scanned first (values skipped, not decoded: one extra read of the files); a non-seekable stream is checked as it is
    /// restored, so a refusal then comes after the cluster was flushed and partly written.
    /// </summary>
    public IReadOnlyCollection<int>? SourceDatabases { get; init; }

    /// <summary>Per-shard pipeline and big-value tuning, as for a single target. <c>FlushTarget</c> applies once, before the first file.</summary>
    public CommandRestoreOptions Restore { get; init; } = new();

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for any reply of one shard's master before the restore fails with <see cref="RedisFailureKind.Timeout"/>.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <param name="Keys">Keys written over all files (expired and left-out ones not counted).</param>
/// <param name="KeysPerShard">Keys written to each shard's master, by shard index.</param>
/// <param name="OtherDatabaseKeysSkipped">Keys left out by <see cref="MultiDbPolicy.Db0Only"/>.</param>
/// <param name="Bytes">RDB bytes read over all files.</param>
public sealed record ClusterRestoreResult(long Keys, IReadOnlyList<long> KeysPerShard, long OtherDatabaseKeysSkipped, long Bytes, TimeSpan Elapsed);
