using System.Globalization;
using System.Text.Json;
using Dcsd.Service.Backups;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Http.Imports;

/// <summary>
/// A backup import task as ShowMigrationTask returns it. <c>error_message</c> is the field the DCS task list uses for the failure
/// reason; <c>progress</c> and <c>engine</c> are dcsd's own additions, which DCS clients ignore.
/// </summary>
internal sealed record MigrationTaskView(
    string TaskId,
    string TaskName,
    string? Description,
    string Status,
    string MigrationType,
    string MigrationMethod,
    string? EcsTenantPrivateIp,
    MigrationTaskView.BackupFilesView BackupFiles,
    MigrationTaskView.TargetInstanceView TargetInstance,
    string CreatedAt,
    string UpdatedAt,
    string? ReleasedAt,
    string? ErrorMessage,
    string Progress,
    string? Engine)
{
    public static MigrationTaskView From(MigrationTaskRecord task, BackupRecord? backup, InstanceRecord? target) => new(
        task.Id,
        task.Name,
        task.Description,
        task.Status,
        task.MigrationType,
        task.MigrationMethod,
        null,
        new BackupFilesView(task.FileSource, null, FilesOf(backup), new BackupRecordView(task.BackupId, backup?.Name)),
        new TargetInstanceView(task.TargetInstanceId, target?.Name, target?.Master is { Port: > 0 } master ? master.Host : null, target?.Master is { Port: > 0 } m ? m.Port : null),
        DcsJson.Timestamp(task.CreatedAt)!,
        DcsJson.Timestamp(task.UpdatedAt)!,
        null,
        task.ErrorMessage,
        task.Progress.ToString("0.00", CultureInfo.InvariantCulture),
        task.Engine);

    /// <summary>"host:port" of the instance's master, as the task list's target_instance_addrs shows it.</summary>
    public static string? AddressOf(InstanceRecord? instance) => instance?.Master is { Port: > 0 } master ? master.EndPoint : null;

    /// <summary>The backup's RDB files, from its manifest: size in bytes and update_at as strings, as DCS lists OBS files.</summary>
    private static List<BackupFileView> FilesOf(BackupRecord? backup)
    {
        if (backup?.Manifest is not { } json || JsonSerializer.Deserialize<BackupManifest>(json, BackupManifest.JsonOptions) is not { } manifest)
        {
            return [];
        }

        string updatedAt = DcsJson.Timestamp(manifest.CompletedAt)!;
        return manifest.Files.Select(f => new BackupFileView(f.Name, f.Size.ToString(CultureInfo.InvariantCulture), updatedAt)).ToList();
    }

    internal sealed record BackupFilesView(string FileSource, string? BucketName, IReadOnlyList<BackupFileView> Files, BackupRecordView BackupRecord);

    internal sealed record BackupFileView(string FileName, string Size, string UpdateAt);

    internal sealed record BackupRecordView(string BackupId, string? BackupName);

    internal sealed record TargetInstanceView(string Id, string? Name, string? Ip, int? Port);
}
