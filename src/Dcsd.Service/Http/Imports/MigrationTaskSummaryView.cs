using Dcsd.Service.Persistence;

namespace Dcsd.Service.Http.Imports;

/// <summary>A task as ListMigrationTasks returns it (MigrationTaskList); the cloud-only fields (subnets, ECS) are null.</summary>
internal sealed record MigrationTaskSummaryView(
    string TaskId,
    string TaskName,
    string? Description,
    string Status,
    string MigrationType,
    string MigrationMethod,
    string? EcsTenantPrivateIp,
    string? DataSource,
    string SourceInstanceId,
    string? SourceInstanceName,
    string? SourceInstanceSpecCode,
    string? SourceInstanceStatus,
    string TargetInstanceId,
    string? TargetInstanceName,
    string? TargetInstanceAddrs,
    string? TargetInstanceSpecCode,
    string? TargetInstanceStatus,
    string? ErrorMessage,
    string CreatedAt,
    string UpdatedAt,
    string? ReleasedAt)
{
    public static MigrationTaskSummaryView From(MigrationTaskRecord task, InstanceRecord? source, InstanceRecord? target) => new(
        task.Id,
        task.Name,
        task.Description,
        task.Status,
        task.MigrationType,
        task.MigrationMethod,
        null,
        null,
        task.SourceInstanceId,
        source?.Name,
        source?.SpecCode,
        source?.Status,
        task.TargetInstanceId,
        target?.Name,
        MigrationTaskView.AddressOf(target),
        target?.SpecCode,
        target?.Status,
        task.ErrorMessage,
        DcsJson.Timestamp(task.CreatedAt)!,
        DcsJson.Timestamp(task.UpdatedAt)!,
        null);
}
