namespace Dcsd.Service.Imports;

/// <summary>
/// A backup import as asked (DCS's CreateMigrationTask with backupfile_import), fields still unchecked: the DCS rules and their
/// error codes are <see cref="MigrationTaskService"/>'s.
/// </summary>
internal sealed record ImportBackupCommand(
    string? TaskName,
    string? Description,
    string? MigrationType,
    string? MigrationMethod,
    ImportBackupFiles? BackupFiles,
    ImportTarget? TargetInstance,
    string? MultiDbPolicy);

/// <param name="FilesMalformed">A file list was given and is not a list.</param>
internal sealed record ImportBackupFiles(string? FileSource, string? BackupId, bool FilesMalformed);

/// <param name="Password">Checked against the target's password; never stored, logged or answered.</param>
internal sealed record ImportTarget(string? Id, string? Password);
