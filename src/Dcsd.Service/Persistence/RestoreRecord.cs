namespace Dcsd.Service.Persistence;

internal static class RestoreStatus
{
    public const string Waiting = "waiting";
    public const string Restoring = "restoring";
    public const string Succeed = "succeed";
    public const string Failed = "failed";
}

internal sealed record RestoreRecord
{
    public required string Id { get; init; }

    public required string ProjectId { get; init; }

    /// <summary>The instance whose data is replaced.</summary>
    public required string InstanceId { get; init; }

    public required string BackupId { get; init; }

    /// <summary>The instance the backup was taken from (the same one for the DCS restore API).</summary>
    public required string SourceInstanceId { get; init; }

    public required string Name { get; init; }

    public string? Remark { get; init; }

    public required string Status { get; init; }

    public double Progress { get; init; }

    /// <summary>"replication" or "restore": which engine put the data back.</summary>
    public string? Engine { get; init; }

    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public bool IsActive => Status is RestoreStatus.Waiting or RestoreStatus.Restoring;
}
