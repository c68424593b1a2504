namespace Dcsd.Service.Dcs;

/// <summary>The job holding an instance: one backup or one restore (an import counts as a restore) at a time.</summary>
internal enum ActiveJob
{
    None,
    Backup,
    Restore,
}
