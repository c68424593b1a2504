namespace Dcsd.Service.Http.Backups;

/// <summary>BackupInstanceBody: both fields optional; v1.0 only has remark.</summary>
internal sealed class CreateBackupRequest
{
    public string? Remark { get; set; }

    public string? BackupFormat { get; set; }
}
