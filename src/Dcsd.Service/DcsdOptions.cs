namespace Dcsd.Service;

/// <summary>dcsd's settings (section "Dcsd"). Defaults are the embedded ones: SQLite and backups on local disk under the data directory.</summary>
public sealed class DcsdOptions
{
    /// <summary>Where the metadata database, backups and local instances live. The default is ./.dcs.</summary>
    public string DataDirectory { get; set; } = ".dcs";

    /// <summary>The redis-server binary for local instances. The default is DCS_REDIS_SERVER, else redis-server on PATH.</summary>
    public string RedisServerPath { get; set; } = Dcsd.Redis.Processes.RedisServerOptions.DefaultServerPath();

    /// <summary>How often the supervisor checks local redis-server processes. The default is one second.</summary>
    public TimeSpan SupervisionInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many backup jobs run at once across all instances. The default is 2.</summary>
    public int MaxConcurrentJobs { get; set; } = 2;

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

    /// <summary>Whether every DCS route needs an AK/SK signature or a token. The default is true.</summary>
    public bool RequireAuthentication { get; set; } = true;

    /// <summary>Metrics, health and log format; also bound from section "Dcsd:Observability".</summary>
    public Observability.ObservabilityOptions Observability { get; set; } = new();

    public const string DatabaseFileName = "dcsd.db";

    public string DatabasePath => Path.Combine(DataDirectory, DatabaseFileName);

    public string BackupDirectory => Path.Combine(DataDirectory, "backups");

    public string InstancesDirectory => Path.Combine(DataDirectory, "instances");
}
