using Dcsd.Service.Security;
using System.Globalization;
using System.Text.Json.Nodes;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Http.Backups;

/// <summary>
/// A backup record as ListBackupRecords returns it (BackupRecordResponse). The last fields are dcsd's own additions,
/// which DCS clients ignore: why a backup failed, in words, and the verified content of the file.
/// </summary>
internal sealed record BackupView(
    string BackupId,
    string? Period,
    string BackupName,
    string InstanceId,
    long Size,
    string BackupType,
    string CreatedAt,
    string UpdatedAt,
    string? ExecutionAt,
    string Progress,
    string? ErrorCode,
    string? Remark,
    string Status,
    string IsSupportRestore,
    string BackupFormat,
    string? ErrorMessage,
    JsonObject? Content)
{
    public static BackupView From(BackupRecord backup, DcsApiVersion version) => new(
        backup.Id,
        null,
        backup.Name,
        backup.InstanceId,
        backup.Size,
        backup.BackupType,
        DcsJson.Timestamp(backup.CreatedAt)!,
        DcsJson.Timestamp(backup.UpdatedAt)!,
        DcsJson.Timestamp(backup.ExecutionAt),
        backup.Progress.ToString("0.00", CultureInfo.InvariantCulture),
        backup.ErrorCode,
        backup.Remark,
        backup.Status,
        // The manifest is written only after the file verified, so it is what makes a backup restorable.
        backup.Status == BackupStatus.Succeed && backup.Manifest is not null ? "TRUE" : "FALSE",
        // The v1.0 examples spell the format in capitals ("AOF"), v2 in lower case.
        version == DcsApiVersion.V1 ? backup.BackupFormat.ToUpperInvariant() : backup.BackupFormat,
        backup.ErrorMessage,
        ContentOf(backup.Census));

    /// <summary>What the verified file holds, summarized from the census kept with the record (the full census is in `dcs rdb inspect`).</summary>
    private static JsonObject? ContentOf(string? census)
    {
        if (census is null || JsonNode.Parse(census) is not JsonObject full)
        {
            return null;
        }

        var content = new JsonObject();
        foreach (string field in (string[])["rdb_version", "redis_version", "total_keys", "databases", "types", "functions", "checksum_verified", "checksum"])
        {
            if (full[field] is { } value)
            {
                content[field] = value.DeepClone();
            }
        }

        return content;
    }
}
