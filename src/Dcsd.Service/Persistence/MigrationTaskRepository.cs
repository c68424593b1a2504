using Microsoft.Data.Sqlite;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Persistence;

internal enum MigrationTaskDeletion
{
    Deleted,
    NotFound,
    Running,
}

internal sealed class MigrationTaskRepository(DcsdDatabase database)
{
    private const string Columns =
        "id, project_id, name, description, migration_type, migration_method, file_source, backup_id, source_instance_id, target_instance_id, status, progress, engine, error_message, created_at, updated_at, multi_db_policy";

    /// <summary>Inserts the task unless its target has a backup, restore or import waiting or running; returns the one that is.</summary>
    public Task<ActiveJob> TryInsertExclusiveAsync(MigrationTaskRecord task, CancellationToken cancellationToken) =>
        InstanceJobGate.InsertIfIdleAsync(
            database,
            task.TargetInstanceId,
            $"""
            INSERT INTO migration_tasks ({Columns}) VALUES ($id, $project, $name, $description, $type, $method, $source, $backup,
                $sourceInstance, $target, $status, $progress, $engine, $errorMessage, $created, $updated, $multiDb)
            """,
            Parameters(task),
            cancellationToken);

    public Task UpdateAsync(MigrationTaskRecord task, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "UPDATE migration_tasks SET status = $status, progress = $progress, engine = $engine, error_message = $errorMessage, updated_at = $updated WHERE id = $id",
            cancellationToken,
            Parameters(task));

    public Task UpdateProgressAsync(string id, double progress, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "UPDATE migration_tasks SET progress = $progress, updated_at = $now WHERE id = $id AND status = 'MIGRATING'",
            cancellationToken,
            ("$progress", progress),
            ("$now", DateTimeOffset.UtcNow.ToUnixMs()),
            ("$id", id));

    public async Task<MigrationTaskRecord?> GetByIdAsync(string id, CancellationToken cancellationToken)
    {
        var found = await database.QueryAsync($"SELECT {Columns} FROM migration_tasks WHERE id = $id", Read, cancellationToken, ("$id", id)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<MigrationTaskRecord?> GetAsync(string projectId, string id, CancellationToken cancellationToken)
    {
        var task = await GetByIdAsync(id, cancellationToken).ConfigureAwait(false);
        return task?.ProjectId == projectId ? task : null;
    }

    /// <summary>
    /// One page of a project's tasks, newest first, optionally only those whose name contains <paramref name="name"/>, and the
    /// exact number of matching tasks (the Terraform provider pages by offset).
    /// </summary>
    public async Task<(long Total, List<MigrationTaskRecord> Page)> ListAsync(
        string projectId, string? name, int offset, int limit, CancellationToken cancellationToken)
    {
        // instr, not LIKE: a name holding % or _ is matched as written.
        const string Filter = "WHERE project_id = $project AND ($name IS NULL OR instr(name, $name) > 0)";
        (string, object?)[] parameters = [("$project", projectId), ("$name", string.IsNullOrEmpty(name) ? null : name), ("$offset", offset), ("$limit", limit)];
        long total;
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        await using (var count = connection.Command($"SELECT COUNT(*) FROM migration_tasks {Filter}", parameters))
        {
            total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var page = await database.QueryAsync(
            $"SELECT {Columns} FROM migration_tasks {Filter} ORDER BY created_at DESC, id LIMIT $limit OFFSET $offset", Read, cancellationToken, parameters).ConfigureAwait(false);
        return (total, page);
    }

    public Task<List<MigrationTaskRecord>> ListByStatusAsync(string status, CancellationToken cancellationToken) =>
        database.QueryAsync($"SELECT {Columns} FROM migration_tasks WHERE status = $status ORDER BY created_at", Read, cancellationToken, ("$status", status));

    /// <summary>
    /// Deletes every task of the list or none: all must be the project's and none may be running. Checked and deleted in one
    /// immediate transaction, so a task cannot start running between the check and the delete.
    /// </summary>
    public async Task<MigrationTaskDeletion> DeleteAsync(string projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        foreach (string id in ids)
        {
            await using var select = connection.Command("SELECT status FROM migration_tasks WHERE id = $id AND project_id = $project", ("$id", id), ("$project", projectId));
            switch (await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))
            {
                case null:
                    return MigrationTaskDeletion.NotFound;
                case MigrationTaskStatus.Migrating:
                    return MigrationTaskDeletion.Running;
            }
        }

        foreach (string id in ids)
        {
            await using var delete = connection.Command("DELETE FROM migration_tasks WHERE id = $id", ("$id", id));
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return MigrationTaskDeletion.Deleted;
    }

    private static (string, object?)[] Parameters(MigrationTaskRecord t) =>
    [
        ("$id", t.Id),
        ("$project", t.ProjectId),
        ("$name", t.Name),
        ("$description", t.Description),
        ("$type", t.MigrationType),
        ("$method", t.MigrationMethod),
        ("$source", t.FileSource),
        ("$backup", t.BackupId),
        ("$sourceInstance", t.SourceInstanceId),
        ("$target", t.TargetInstanceId),
        ("$status", t.Status),
        ("$progress", t.Progress),
        ("$engine", t.Engine),
        ("$errorMessage", t.ErrorMessage),
        ("$created", t.CreatedAt.ToUnixMs()),
        ("$updated", t.UpdatedAt.ToUnixMs()),
        ("$multiDb", t.MultiDbPolicy),
    ];

    private static MigrationTaskRecord Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        ProjectId = r.GetString(1),
        Name = r.GetString(2),
        Description = r.GetNullableString(3),
        MigrationType = r.GetString(4),
        MigrationMethod = r.GetString(5),
        FileSource = r.GetString(6),
        BackupId = r.GetString(7),
        SourceInstanceId = r.GetString(8),
        TargetInstanceId = r.GetString(9),
        Status = r.GetString(10),
        Progress = r.GetDouble(11),
        Engine = r.GetNullableString(12),
        ErrorMessage = r.GetNullableString(13),
        CreatedAt = SqliteExtensions.FromUnixMs(r.GetInt64(14)),
        UpdatedAt = SqliteExtensions.FromUnixMs(r.GetInt64(15)),
        MultiDbPolicy = r.GetString(16),
    };
}
