namespace Dcsd.Service.Persistence;

/// <summary>
/// The DCS statuses of a backup import task. DCS goes straight to MIGRATING for backup imports (CREATING is its online
/// migration's wait for an ECS), so dcsd has one active status: queued or loading, the task is MIGRATING.
/// </summary>
internal static class MigrationTaskStatus
{
    public const string Migrating = "MIGRATING";
    public const string Success = "SUCCESS";
    public const string Failed = "FAILED";
}

/// <summary>The values of the DCS migration task fields that dcsd takes.</summary>
internal static class MigrationTaskKinds
{
    public const string BackupFileImport = "backupfile_import";
    public const string OnlineMigration = "online_migration";
    public const string FullMigration = "full_amount_migration";
    public const string IncrementalMigration = "incremental_migration";
    public const string BackupRecordSource = "backup_record";
    public const string SelfBuildObsSource = "self_build_obs";
}

/// <summary>A backup import task: one backup's data put into another instance (the target), replacing what it held.</summary>
internal sealed record MigrationTaskRecord
{
    public required string Id { get; init; }

    public required string ProjectId { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public required string MigrationType { get; init; }

    public required string MigrationMethod { get; init; }

    public required string FileSource { get; init; }

    public required string BackupId { get; init; }

    /// <summary>The instance the backup was taken from; it is only read from the backup store, never touched.</summary>
    public required string SourceInstanceId { get; init; }

    /// <summary>The instance whose data is replaced.</summary>
    public required string TargetInstanceId { get; init; }

    public required string Status { get; init; }

    /// <summary>0 to 100.</summary>
    public double Progress { get; init; }

    /// <summary>"replication" or "restore": which engine put the data in.</summary>
    public string? Engine { get; init; }

    /// <summary>Why it failed, in words (never a password).</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>dcsd's extension: what an import into a cluster does with keys outside db0 (see <see cref="MultiDbPolicies"/>).</summary>
    public string MultiDbPolicy { get; init; } = MultiDbPolicies.Refuse;

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public bool IsActive => Status == MigrationTaskStatus.Migrating;
}

/// <summary>
/// A cluster has only db0. Importing a backup with keys in other databases into one is refused unless the task says
/// "db0_only" (the other databases are left out) or "merge" (every database goes into db0; on equal names the later database wins).
/// </summary>
internal static class MultiDbPolicies
{
    public const string Refuse = "refuse";
    public const string Db0Only = "db0_only";
    public const string Merge = "merge";

    public static Dcsd.Redis.Cluster.MultiDbPolicy Parse(string value) => value switch
    {
        Db0Only => Dcsd.Redis.Cluster.MultiDbPolicy.Db0Only,
        Merge => Dcsd.Redis.Cluster.MultiDbPolicy.Merge,
        _ => Dcsd.Redis.Cluster.MultiDbPolicy.Refuse,
    };
}
