namespace Dcsd.Service.Persistence;

internal static class BackupStatus
{
    public const string Waiting = "waiting";
    public const string Backuping = "backuping";
    public const string Succeed = "succeed";
    public const string Failed = "failed";
    public const string Deleted = "deleted";
}

/// <summary>Failure codes a backup or restore record carries (shared/reference/dcs-api.md §5.3).</summary>
internal static class JobErrorCodes
{
    public const string ToolFailed = "dcs.08.0001";
    public const string Timeout = "dcs.08.0002";
    public const string DataSizeUnknown = "dcs.08.0006";
    public const string SyncFailed = "dcs.08.0007";
    public const string Busy = "dcs.08.0008";
}

internal sealed record BackupRecord
{
    public required string Id { get; init; }

    public required string ProjectId { get; init; }

    public required string InstanceId { get; init; }

    public required string Name { get; init; }

    public string? Remark { get; init; }

    public required string Status { get; init; }

    /// <summary>0 to 100.</summary>
    public double Progress { get; init; }

    public long Size { get; init; }

    public required string BackupType { get; init; }

    public required string BackupFormat { get; init; }

    public string? ErrorCode { get; init; }

    /// <summary>Why it failed, in words; kept for operators (never contains secrets).</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The store key prefix under which the backup's files and manifest live.</summary>
    public required string FilePrefix { get; init; }

    /// <summary>The committed manifest (JSON), present once the backup succeeded.</summary>
    public string? Manifest { get; init; }

    /// <summary>The RDB census (JSON) of the verified file.</summary>
    public string? Census { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExecutionAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public bool IsActive => Status is BackupStatus.Waiting or BackupStatus.Backuping;
}
