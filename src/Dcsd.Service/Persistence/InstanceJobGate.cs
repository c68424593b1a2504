using Microsoft.Data.Sqlite;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Persistence;

/// <summary>
/// One backup or restore per instance at a time. Checked inside the same immediate transaction that inserts the new job, so two
/// concurrent requests cannot both pass. A backup import into the instance counts as a restore: it replaces the data the same way.
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
                   (SELECT COUNT(*) FROM restores WHERE instance_id = $instance AND status IN ('waiting', 'restoring')),
                   (SELECT COUNT(*) FROM migration_tasks WHERE target_instance_id = $instance AND status = 'MIGRATING')
            """,
            ("$instance", instanceId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return reader.GetInt64(1) + reader.GetInt64(2) > 0 ? ActiveJob.Restore : reader.GetInt64(0) > 0 ? ActiveJob.Backup : ActiveJob.None;
    }

    /// <summary>Runs the INSERT of a new job unless the instance has one waiting or running; returns the one that is.</summary>
    public static async Task<ActiveJob> InsertIfIdleAsync(
        DcsdDatabase database, string instanceId, string insertSql, (string Name, object? Value)[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // An immediate transaction takes the write lock up front, so the check and the insert cannot interleave with another writer.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var active = await FindActiveAsync(connection, instanceId, cancellationToken).ConfigureAwait(false);
        if (active != ActiveJob.None)
        {
            return active;
        }

        await using (var insert = connection.Command(insertSql, parameters))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ActiveJob.None;
    }
}
