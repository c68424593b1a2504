namespace Dcsd.Service.Http.Restores;

/// <summary>RestoreInstanceBody: backup_id is mandatory, remark optional.</summary>
internal sealed class CreateRestoreRequest
{
    public string? BackupId { get; set; }

    public string? Remark { get; set; }
}
