using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dcsd.Service.Http;
using Dcsd.Service.Http.Imports;
using Dcsd.Service.Jobs;
using Dcsd.Service.Restores;
using Dcsd.Service.Persistence;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Imports;

/// <summary>
/// The DCS rules for backup import tasks (the migration task API with <c>backupfile_import</c>): any succeed backup of the
/// project goes into another running instance of the project. The work runs in <see cref="MigrationTaskWorker"/>.
/// </summary>
internal sealed class MigrationTaskService(
    MigrationTaskRepository tasks,
    InstanceRepository instances,
    BackupRepository backups,
    JobQueue<MigrationTaskRecord> queue,
    TimeProvider time)
{
    private const int MaxNameLength = 64;
    private const int MaxDescriptionLength = 1024;
    private const int MaxDeleteCount = 100;

    public async Task<MigrationTaskRecord> StartAsync(string projectId, CreateMigrationTaskRequest request, CancellationToken cancellationToken)
    {
        string name = request.TaskName?.Trim() ?? string.Empty;
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            throw new DcsException(DcsErrors.InvalidParameter("task_name"));
        }

        if (request.Description is { Length: > MaxDescriptionLength })
        {
            throw new DcsException(DcsErrors.InvalidParameter("description"));
        }

        var files = CheckSupported(request);
        string backupId = RouteIds.Uuid(files.BackupId ?? string.Empty, "backup_files.backup_id");
        string targetId = string.IsNullOrEmpty(request.TargetInstance?.Id)
            ? throw new DcsException(DcsErrors.InvalidParameter("target_instance.id"))
            : RouteIds.Instance(request.TargetInstance.Id);

        // Any backup of the project may be imported, whichever instance it was taken from; another project's is not there.
        var backup = await backups.GetByIdAsync(backupId, cancellationToken).ConfigureAwait(false);
        if (backup?.ProjectId != projectId)
        {
            backup = null;
        }

        RestoreService.EnsureLoadable(backup);

        var target = await instances.GetAsync(projectId, targetId, cancellationToken).ConfigureAwait(false)
            ?? throw new DcsException(DcsErrors.InstanceNotFound);
        if (target.Password is not null && !PasswordMatches(request.TargetInstance!.Password, target.Password))
        {
            throw new DcsException(DcsErrors.InstancePasswordMismatch);
        }

        RestoreService.EnsureCanTakeData(target);

        string multiDb = request.MultiDbPolicy ?? MultiDbPolicies.Refuse;
        if (multiDb is not (MultiDbPolicies.Refuse or MultiDbPolicies.Db0Only or MultiDbPolicies.Merge))
        {
            throw new DcsException(DcsErrors.InvalidParameter("multi_db_policy").WithMessage("multi_db_policy must be refuse, db0_only or merge."));
        }

        var now = time.GetUtcNow();
        var task = new MigrationTaskRecord
        {
            Id = Guid.NewGuid().ToString(),
            ProjectId = projectId,
            Name = name,
            Description = request.Description,
            MigrationType = MigrationTaskKinds.BackupFileImport,
            MigrationMethod = MigrationTaskKinds.FullMigration,
            FileSource = MigrationTaskKinds.BackupRecordSource,
            BackupId = backup.Id,
            SourceInstanceId = backup.InstanceId,
            TargetInstanceId = target.Id,
            Status = MigrationTaskStatus.Migrating,
            MultiDbPolicy = multiDb,
            CreatedAt = now,
            UpdatedAt = now,
        };
        DcsErrors.ThrowIfBusy(await tasks.TryInsertExclusiveAsync(task, cancellationToken).ConfigureAwait(false));

        queue.Enqueue(task.Id);
        return task;
    }

    /// <summary>The project's task, or DCS.4133 (which the Terraform provider reads as "deleted").</summary>
    public async Task<MigrationTaskRecord> GetAsync(string projectId, string taskId, CancellationToken cancellationToken) =>
        await tasks.GetAsync(projectId, TaskId(taskId), cancellationToken).ConfigureAwait(false)
            ?? throw new DcsException(DcsErrors.MigrationTaskNotFound);

    /// <summary>Deletes all the tasks or none of them; returns the ids deleted.</summary>
    public async Task<IReadOnlyList<string>> DeleteAsync(string projectId, IReadOnlyList<string?>? taskIds, CancellationToken cancellationToken)
    {
        if (taskIds is not { Count: > 0 and <= MaxDeleteCount })
        {
            throw new DcsException(DcsErrors.InvalidParameter("task_id_list"));
        }

        var ids = taskIds.Select(id => id is null ? throw new DcsException(DcsErrors.InvalidTaskId) : TaskId(id)).Distinct(StringComparer.Ordinal).ToList();
        switch (await tasks.DeleteAsync(projectId, ids, cancellationToken).ConfigureAwait(false))
        {
            case MigrationTaskDeletion.NotFound:
                throw new DcsException(DcsErrors.MigrationTaskNotFound);
            case MigrationTaskDeletion.Running:
                throw new DcsException(DcsErrors.MigrationTaskRunning.WithMessage("A running migration task cannot be deleted; wait until it ends."));
        }

        return ids;
    }

    /// <summary>Only a full import of a dcsd backup record is supported; the other kinds DCS offers are refused by name.</summary>
    private static CreateMigrationTaskRequest.BackupFilesBody CheckSupported(CreateMigrationTaskRequest request)
    {
        Require(request.MigrationType, "migration_type", MigrationTaskKinds.BackupFileImport, MigrationTaskKinds.OnlineMigration,
            "online migration is not supported by this dcsd; import a backup (backupfile_import)");
        Require(request.MigrationMethod, "migration_method", MigrationTaskKinds.FullMigration, MigrationTaskKinds.IncrementalMigration,
            "a backup import is always a full migration (full_amount_migration)");
        var files = request.BackupFiles ?? throw new DcsException(DcsErrors.InvalidParameter("backup_files"));
        Require(files.FileSource, "backup_files.file_source", MigrationTaskKinds.BackupRecordSource, MigrationTaskKinds.SelfBuildObsSource,
            "importing from an OBS bucket (self_build_obs) is not supported by this dcsd yet; import a backup record (backup_record)");

        // A backup record brings its own files; a list given anyway must at least be a list.
        if (files.Files is { ValueKind: not (JsonValueKind.Array or JsonValueKind.Null) })
        {
            throw new DcsException(DcsErrors.InvalidParameter("backup_files.files"));
        }

        return files;
    }

    /// <summary>The one value dcsd takes; a value DCS knows but dcsd does not do says why, anything else is just invalid.</summary>
    private static void Require(string? value, string field, string supported, string unsupported, string why)
    {
        if (value == supported)
        {
            return;
        }

        throw value == unsupported
            ? new DcsException(DcsErrors.InvalidParameter(field).WithMessage($"Invalid {field} parameter in the request: {why}."))
            : new DcsException(DcsErrors.InvalidParameter(field));
    }

    private static string TaskId(string taskId) =>
        Guid.TryParseExact(taskId, "D", out _) ? taskId.ToLowerInvariant() : throw new DcsException(DcsErrors.InvalidTaskId);

    /// <summary>Compares digests in constant time, so neither the content nor the length of the password leaks through timing.</summary>
    private static bool PasswordMatches(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
