using Microsoft.Data.Sqlite;

namespace Dcsd.Service.Store;

internal enum ActiveJob
{
    None,
    Backup,
    Restore,
}

/// <summary>
/// One backup or restore per instance at a time. Checked inside the same immediate transaction that inserts the new job, so two
/// concurrent requests cannot both pass.
/// </summary>
internal static class InstanceJobGate
{
    public static async Task<ActiveJob> FindActiveAsync(DcsdDatabase database, string instanceId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await FindActiveAsync(connection, instanceId, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<ActiveJob> FindActiveAsync(SqliteConnection connection, string instanceId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            """
            SELECT (SELECT COUNT(*) FROM backups WHERE instance_id = $instance AND status IN ('waiting', 'backuping')),
                   (SELECT COUNT(*) FROM restores WHERE instance_id = $instance AND status IN ('waiting', 'restoring'))
            """,
            ("$instance", instanceId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return reader.GetInt64(1) > 0 ? ActiveJob.Restore : reader.GetInt64(0) > 0 ? ActiveJob.Backup : ActiveJob.None;
    }
}
