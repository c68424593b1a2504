using System.Text.Json;
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
    IReadOnlyList<BackupManifestFile> Files)
{
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
    string TransferMode);
