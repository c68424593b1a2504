using Dcsd.Service.Persistence;
using Microsoft.Data.Sqlite;

namespace Dcsd.Service.Observability;

/// <summary>
/// What the gauges read from the metadata database at scrape time: instances by status, each backupable instance's last good
/// backup, and the jobs waiting. One read serves every gauge of a scrape (a snapshot is kept for a second), so a scrape costs
/// three small queries whatever the number of gauges.
/// </summary>
internal sealed class FleetStatistics(DcsdDatabase database, TimeProvider time)
{
    private static readonly TimeSpan SnapshotLifetime = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private (FleetSnapshot Snapshot, DateTimeOffset At)? _last;

    public FleetSnapshot Read()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_last is { } last && now - last.At < SnapshotLifetime)
            {
                return last.Snapshot;
            }

            var snapshot = Query();
            _last = (snapshot, now);
            return snapshot;
        }
    }

    /// <summary>Synchronous: observable instruments are read on the scrape's thread, which waits for them anyway.</summary>
    private FleetSnapshot Query()
    {
        using var connection = new SqliteConnection(database.ConnectionString);
        connection.Open();
        var byStatus = new List<InstanceCount>();
        using (var command = connection.Command("SELECT status, cache_mode, COUNT(*) FROM instances GROUP BY status, cache_mode"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                byStatus.Add(new InstanceCount(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        // A single-node instance cannot be backed up, and one that failed to be created never will be: neither has an age to watch.
        var lastSuccesses = new List<LastSuccess>();
        using (var command = connection.Command(
            """
            SELECT i.id, COALESCE((SELECT MAX(b.updated_at) FROM backups b WHERE b.instance_id = i.id AND b.status = $succeed), i.created_at)
            FROM instances i WHERE i.cache_mode <> $single AND i.status <> $createFailed
            """,
            ("$succeed", BackupStatus.Succeed),
            ("$single", CacheModes.Single),
            ("$createFailed", InstanceStatus.CreateFailed)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                lastSuccesses.Add(new LastSuccess(reader.GetString(0), SqliteExtensions.FromUnixMs(reader.GetInt64(1))));
            }
        }

        using var queued = connection.Command(
            """
            SELECT (SELECT COUNT(*) FROM backups WHERE status = $backupWaiting),
                   (SELECT COUNT(*) FROM restores WHERE status = $restoreWaiting),
                   (SELECT COUNT(*) FROM migration_tasks WHERE status = $migrating)
            """,
            ("$backupWaiting", BackupStatus.Waiting),
            ("$restoreWaiting", RestoreStatus.Waiting),
            ("$migrating", MigrationTaskStatus.Migrating));
        using var counts = queued.ExecuteReader();
        counts.Read();
        return new FleetSnapshot(byStatus, lastSuccesses, counts.GetInt64(0), counts.GetInt64(1), counts.GetInt64(2));
    }
}

internal sealed record FleetSnapshot(
    IReadOnlyList<InstanceCount> InstancesByStatus,
    IReadOnlyList<LastSuccess> LastSuccesses,
    long WaitingBackups,
    long WaitingRestores,
    long ActiveImports);

internal sealed record InstanceCount(string Status, string CacheMode, long Count);

/// <summary>When the instance's last succeed backup ended, or when the instance was created if it has none.</summary>
internal sealed record LastSuccess(string InstanceId, DateTimeOffset At);
