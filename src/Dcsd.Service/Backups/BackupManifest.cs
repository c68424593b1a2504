using System.Text.Json;
using Dcsd.Rdb;
using Dcsd.Redis.Replication;
using Dcsd.Redis.Topology;
using Dcsd.Service.Instances;
using System.Text.Json.Serialization;

namespace Dcsd.Service.Backups;

/// <summary>
/// Written last, after every file of the backup is committed: its presence is the commit marker of the backup.
/// A restart that finds a manifest for a backup still marked running knows the backup completed.
/// </summary>
internal sealed record BackupManifest(
    string BackupId,
    string ProjectId,
    string InstanceId,
    string Format,
    DateTimeOffset CreatedAt,
    DateTimeOffset CompletedAt,
    IReadOnlyList<BackupManifestFile> Files,
    string Mode = BackupManifest.MasterStandbyMode,
    bool? ConsistentCut = null,
    long? WritesPausedMs = null)
{
    public const string MasterStandbyMode = "master_standby";

    public const string ClusterMode = "cluster";

    public const string FileName = "manifest.json";

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public long TotalBytes => Files.Sum(f => f.Size);
}

/// <summary>One RDB file of a backup: one per shard (one for a master/standby instance).</summary>
/// <param name="Slots">The slot ranges the shard owned when its snapshot was taken ("0-5460"); null outside cluster mode.</param>
/// <param name="Databases">The databases the file holds keys in: a restore into a cluster (db0 only) must know.</param>
internal sealed record BackupManifestFile(
    string Name,
    long Size,
    string Sha256,
    int RdbVersion,
    string? RedisVersion,
    long Keys,
    string SourceRole,
    string SourceAddress,
    string? ReplicationId,
    long? ReplicationOffset,
    string TransferMode,
    int Shard = 0,
    IReadOnlyList<string>? Slots = null,
    long Expires = 0,
    long AlreadyExpired = 0,
    IReadOnlyList<int>? Databases = null)
{
    public static BackupManifestFile Of(string fileName, SnapshotSourceChoice choice, bool cluster, SnapshotResult snapshot, RdbCensus census) => new(
        fileName,
        snapshot.Bytes,
        snapshot.Sha256Hex,
        snapshot.RdbVersion,
        census.RedisVersion,
        census.TotalKeys,
        InstanceTopology.AsRecord(choice.Node).Role,
        choice.Node.EndPoint,
        snapshot.ReplicationId,
        snapshot.ReplicationOffset,
        snapshot.Mode.ToString().ToLowerInvariant(),
        choice.Shard.Index,
        cluster ? choice.Shard.Slots.Select(range => range.ToString()).ToList() : null,
        census.Databases.Sum(db => db.Expires),
        census.Databases.Sum(db => db.AlreadyExpired),
        census.Databases.Where(db => db.Keys > 0).Select(db => db.Db).ToList());
}
