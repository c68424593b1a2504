using System.Globalization;
using System.Text.Json.Serialization;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Http.Restores;

/// <summary>
/// A restore record as ListRestoreRecords returns it (InstanceRestoreInfo). v1.0 adds the source instance in camelCase
/// (sourceInstanceId/Name, as its example spells them); <c>error_message</c> (why a restore failed, in words) and
/// <c>engine</c> are dcsd's own additions.
/// </summary>
internal sealed record RestoreView(
    string RestoreId,
    string RestoreName,
    string BackupId,
    string? BackupName,
    string? RestoreRemark,
    string? BackupRemark,
    string Status,
    string Progress,
    string CreatedAt,
    string UpdatedAt,
    string? ErrorCode,
    string? ErrorMessage,
    string? Engine,
    [property: JsonPropertyName("sourceInstanceId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourceInstanceId,
    [property: JsonPropertyName("sourceInstanceName"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourceInstanceName)
{
    public static RestoreView From(RestoreRecord restore, BackupRecord? backup, InstanceRecord? source, bool v1) => new(
        restore.Id,
        restore.Name,
        restore.BackupId,
        backup?.Name,
        restore.Remark,
        backup?.Remark,
        restore.Status,
        restore.Progress.ToString("0.00", CultureInfo.InvariantCulture),
        DcsJson.Timestamp(restore.CreatedAt)!,
        DcsJson.Timestamp(restore.UpdatedAt)!,
        restore.ErrorCode,
        restore.ErrorMessage,
        restore.Engine,
        v1 ? restore.SourceInstanceId : null,
        v1 ? source?.Name ?? string.Empty : null);
}
