namespace Dcsd.Service;

/// <summary>
/// dcsd's settings (configuration section "Dcsd", validated at start by <see cref="Hosting.DcsdOptionsValidator"/>). Defaults are
/// the embedded ones: SQLite and backups on local disk under the data directory. Every room reads the few it needs.
/// </summary>
public sealed class DcsdOptions
{
    public const string SectionName = "Dcsd";

    /// <summary>Where the metadata database, backups and local instances live. The default is ./.dcs.</summary>
    public string DataDirectory { get; set; } = ".dcs";

    /// <summary>The redis-server binary for local instances. The default is redis-server on PATH (DCS_REDIS_SERVER sets it too).</summary>
    public string RedisServerPath { get; set; } = "redis-server";

    /// <summary>How often the supervisor checks local redis-server processes. The default is one second.</summary>
    public TimeSpan SupervisionInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many jobs (backups, restores and imports together) run at once across all instances. The default is 2.</summary>
    public int MaxConcurrentJobs { get; set; } = 2;

    /// <summary>How many jobs of one kind (backups, restores or imports) run at once, within <see cref="MaxConcurrentJobs"/>. The default is 2.</summary>
    public int MaxConcurrentJobsPerKind { get; set; } = 2;

    /// <summary>No data at all from a snapshot source for this long fails the job. The default is 60 seconds.</summary>
    public TimeSpan SnapshotIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A snapshot taking longer than this fails with dcs.08.0002. The default is 6 hours.</summary>
    public TimeSpan SnapshotTotalTimeout { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How many shards of one cluster backup are snapshotted at once. The default is 4.</summary>
    public int MaxParallelShardSnapshots { get; set; } = 4;

    /// <summary>
    /// When set, a cluster backup is a consistent cut: writes are paused (CLIENT PAUSE WRITE) on every master, for at most this
    /// long, until every shard's snapshot has started, so no write is in one shard's file and missing from another's. Reads go on.
    /// The default is null: shards are snapshotted independently, each consistent in itself.
    /// </summary>
    public TimeSpan? ClusterWritePause { get; set; }

    /// <summary>
    /// The address dcsd's replication listener binds during a restore through the replication engine (the target connects
    /// to it as to its master). The default is 127.0.0.1: targets on other hosts need an address they can reach, e.g. 0.0.0.0.
    /// </summary>
    public string ReplicationListenAddress { get; set; } = "127.0.0.1";

    /// <summary>The address sent to the target in REPLICAOF. The default is the listen address (127.0.0.1 for a wildcard).</summary>
    public string? ReplicationAdvertiseAddress { get; set; }

    /// <summary>A target that has not connected to the listener within this time cannot reach it: the restore falls back to RESTORE commands. The default is 5 seconds.</summary>
    public TimeSpan ReplicationLinkTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The replication engine's listener settings from the three above.</summary>
    internal Dcsd.Redis.Restore.ReplicationListenerOptions ReplicationListener() => new()
    {
        ListenAddress = System.Net.IPAddress.Parse(ReplicationListenAddress),
        AdvertiseAddress = ReplicationAdvertiseAddress,
        LinkTimeout = ReplicationLinkTimeout,
    };

    /// <summary>Metrics, health and log format; also bound from section "Dcsd:Observability".</summary>
    public Observability.ObservabilityOptions Observability { get; set; } = new();

    public const string DatabaseFileName = "dcsd.db";

    public string DatabasePath => Path.Combine(DataDirectory, DatabaseFileName);

    public string BackupDirectory => Path.Combine(DataDirectory, "backups");

    public string InstancesDirectory => Path.Combine(DataDirectory, "instances");
}
