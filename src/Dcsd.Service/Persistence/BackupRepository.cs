using Microsoft.Data.Sqlite;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Persistence;

internal sealed class BackupRepository(DcsdDatabase database)
{
    private const string Columns =
        "id, project_id, instance_id, name, remark, status, progress, size, backup_type, backup_format, error_code, error_message, file_prefix, manifest, census, created_at, execution_at, updated_at";

    /// <summary>Inserts the record unless the instance has a backup or restore waiting or running; returns the one that is.</summary>
    public Task<ActiveJob> TryInsertExclusiveAsync(BackupRecord backup, CancellationToken cancellationToken) =>
        InstanceJobGate.InsertIfIdleAsync(
            database,
            backup.InstanceId,
            $"INSERT INTO backups ({Columns}) VALUES ($id, $project, $instance, $name, $remark, $status, $progress, $size, $type, $format, $error, $errorMessage, $prefix, $manifest, $census, $created, $execution, $updated)",
            Parameters(backup),
            cancellationToken);

    /// <summary>Writes every mutable field of the record.</summary>
    public async Task UpdateAsync(BackupRecord backup, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            """
            UPDATE backups SET status = $status, progress = $progress, size = $size, error_code = $error, error_message = $errorMessage,
                manifest = $manifest, census = $census, execution_at = $execution, updated_at = $updated
            WHERE id = $id
            """,
            Parameters(backup));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task UpdateProgressAsync(string id, double progress, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "UPDATE backups SET progress = $progress, updated_at = $now WHERE id = $id AND status = 'backuping'",
            ("$progress", progress),
            ("$now", DateTimeOffset.UtcNow.ToUnixMs()),
            ("$id", id));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<BackupRecord?> GetAsync(string projectId, string instanceId, string id, CancellationToken cancellationToken)
    {
        var found = await QueryAsync(
            "WHERE project_id = $project AND instance_id = $instance AND id = $id",
            cancellationToken,
            ("$project", projectId),
            ("$instance", instanceId),
            ("$id", id)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<BackupRecord?> GetByIdAsync(string id, CancellationToken cancellationToken)
    {
        var found = await QueryAsync("WHERE id = $id", cancellationToken, ("$id", id)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>One page of an instance's backups, newest first, and the exact number of matching records.</summary>
    public Task<(long Total, List<BackupRecord> Page)> ListAsync(
        string projectId, string instanceId, DateTimeOffset? from, DateTimeOffset? to, int offset, int limit, CancellationToken cancellationToken) =>
        database.PageAsync("backups", Columns, Read, projectId, instanceId, from, to, offset, limit, cancellationToken);

    public Task<List<BackupRecord>> ListByStatusAsync(IReadOnlyList<string> statuses, CancellationToken cancellationToken) =>
        QueryAsync(
            $"WHERE status IN ({string.Join(", ", statuses.Select((_, i) => "$s" + i))}) ORDER BY created_at",
            cancellationToken,
            [.. statuses.Select((s, i) => ("$s" + i, (object?)s))]);

    public Task<List<BackupRecord>> ListForInstanceAsync(string instanceId, CancellationToken cancellationToken) =>
        QueryAsync("WHERE instance_id = $instance ORDER BY created_at", cancellationToken, ("$instance", instanceId));

    private Task<List<BackupRecord>> QueryAsync(string where, CancellationToken cancellationToken, params (string, object?)[] parameters) =>
        database.QueryAsync($"SELECT {Columns} FROM backups {where}", Read, cancellationToken, parameters);

    private static (string, object?)[] Parameters(BackupRecord b) =>
    [
        ("$id", b.Id),
        ("$project", b.ProjectId),
        ("$instance", b.InstanceId),
        ("$name", b.Name),
        ("$remark", b.Remark),
        ("$status", b.Status),
        ("$progress", b.Progress),
        ("$size", b.Size),
        ("$type", b.BackupType),
        ("$format", b.BackupFormat),
        ("$error", b.ErrorCode),
        ("$errorMessage", b.ErrorMessage),
        ("$prefix", b.FilePrefix),
        ("$manifest", b.Manifest),
        ("$census", b.Census),
        ("$created", b.CreatedAt.ToUnixMs()),
        ("$execution", b.ExecutionAt?.ToUnixMs()),
        ("$updated", b.UpdatedAt.ToUnixMs()),
    ];

    private static BackupRecord Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        ProjectId = r.GetString(1),
        InstanceId = r.GetString(2),
        Name = r.GetString(3),
        Remark = r.GetNullableString(4),
        Status = r.GetString(5),
        Progress = r.GetDouble(6),
        Size = r.GetInt64(7),
        BackupType = r.GetString(8),
        BackupFormat = r.GetString(9),
        ErrorCode = r.GetNullableString(10),
        ErrorMessage = r.GetNullableString(11),
        FilePrefix = r.GetString(12),
        Manifest = r.GetNullableString(13),
        Census = r.GetNullableString(14),
        CreatedAt = SqliteExtensions.FromUnixMs(r.GetInt64(15)),
        ExecutionAt = r.GetNullableTime(16),
        UpdatedAt = SqliteExtensions.FromUnixMs(r.GetInt64(17)),
    };
}
