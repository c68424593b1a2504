using System.Text.Json;

namespace Dcsd.Service.Http.Imports;

/// <summary>CreateMigrationTaskBody for a backup import: which backup goes into which instance.</summary>
internal sealed class CreateMigrationTaskRequest
{
    public string? TaskName { get; set; }

    public string? Description { get; set; }

    public string? MigrationType { get; set; }

    public string? MigrationMethod { get; set; }

    public BackupFilesBody? BackupFiles { get; set; }

    public TargetInstanceBody? TargetInstance { get; set; }

    /// <summary>dcsd's extension: "refuse" (the default), "db0_only" or "merge", for a multi-database backup imported into a cluster.</summary>
    public string? MultiDbPolicy { get; set; }

    /// <summary>BackupFilesBody: a DCS backup record (backup_id) or files in an OBS bucket.</summary>
    internal sealed class BackupFilesBody
    {
        public string? FileSource { get; set; }

        public string? BackupId { get; set; }

        public string? BucketName { get; set; }

        /// <summary>Only OBS imports name files; clients send size and update_at as strings or numbers, so the list is kept raw.</summary>
        public JsonElement? Files { get; set; }
    }

    internal sealed class TargetInstanceBody
    {
        public string? Id { get; set; }

        /// <summary>Checked against the target's password; never stored, logged or answered.</summary>
        public string? Password { get; set; }
    }
}
