using Microsoft.Data.Sqlite;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Persistence;

internal sealed class RestoreRepository(DcsdDatabase database)
{
    private const string Columns =
        "id, project_id, instance_id, backup_id, source_instance_id, name, remark, status, progress, engine, error_code, error_message, created_at, updated_at";

    /// <summary>Inserts the record unless the instance has a backup or restore waiting or running; returns the one that is.</summary>
    public Task<ActiveJob> TryInsertExclusiveAsync(RestoreRecord restore, CancellationToken cancellationToken) =>
        InstanceJobGate.InsertIfIdleAsync(
            database,
            restore.InstanceId,
            $"INSERT INTO restores ({Columns}) VALUES ($id, $project, $instance, $backup, $source, $name, $remark, $status, $progress, $engine, $error, $errorMessage, $created, $updated)",
            Parameters(restore),
            cancellationToken);

    public async Task UpdateAsync(RestoreRecord restore, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "UPDATE restores SET status = $status, progress = $progress, engine = $engine, error_code = $error, error_message = $errorMessage, updated_at = $updated WHERE id = $id",
            Parameters(restore));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task UpdateProgressAsync(string id, double progress, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "UPDATE restores SET progress = $progress, updated_at = $now WHERE id = $id AND status = 'restoring'",
            ("$progress", progress),
            ("$now", DateTimeOffset.UtcNow.ToUnixMs()),
            ("$id", id));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<RestoreRecord?> GetByIdAsync(string id, CancellationToken cancellationToken)
    {
        var found = await QueryAsync("WHERE id = $id", cancellationToken, ("$id", id)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>One page of an instance's restores, newest first, and the exact number of matching records.</summary>
    public Task<(long Total, List<RestoreRecord> Page)> ListAsync(
        string projectId, string instanceId, DateTimeOffset? from, DateTimeOffset? to, int offset, int limit, CancellationToken cancellationToken) =>
        database.PageAsync("restores", Columns, Read, projectId, instanceId, from, to, offset, limit, cancellationToken);

    public Task<List<RestoreRecord>> ListByStatusAsync(string status, CancellationToken cancellationToken) =>
        QueryAsync("WHERE status = $status ORDER BY created_at", cancellationToken, ("$status", status));

    private Task<List<RestoreRecord>> QueryAsync(string where, CancellationToken cancellationToken, params (string, object?)[] parameters) =>
        database.QueryAsync($"SELECT {Columns} FROM restores {where}", Read, cancellationToken, parameters);

    private static (string, object?)[] Parameters(RestoreRecord r) =>
    [
        ("$id", r.Id),
        ("$project", r.ProjectId),
        ("$instance", r.InstanceId),
        ("$backup", r.BackupId),
        ("$source", r.SourceInstanceId),
        ("$name", r.Name),
        ("$remark", r.Remark),
        ("$status", r.Status),
        ("$progress", r.Progress),
        ("$engine", r.Engine),
        ("$error", r.ErrorCode),
        ("$errorMessage", r.ErrorMessage),
        ("$created", r.CreatedAt.ToUnixMs()),
        ("$updated", r.UpdatedAt.ToUnixMs()),
    ];

    private static RestoreRecord Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        ProjectId = r.GetString(1),
        InstanceId = r.GetString(2),
        BackupId = r.GetString(3),
        SourceInstanceId = r.GetString(4),
        Name = r.GetString(5),
        Remark = r.GetNullableString(6),
        Status = r.GetString(7),
        Progress = r.GetDouble(8),
        Engine = r.GetNullableString(9),
        ErrorCode = r.GetNullableString(10),
        ErrorMessage = r.GetNullableString(11),
        CreatedAt = SqliteExtensions.FromUnixMs(r.GetInt64(12)),
        UpdatedAt = SqliteExtensions.FromUnixMs(r.GetInt64(13)),
    };
}
