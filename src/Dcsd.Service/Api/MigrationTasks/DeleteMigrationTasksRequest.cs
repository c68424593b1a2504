namespace Dcsd.Service.Api.MigrationTasks;

/// <summary>DeleteMigrationTaskBody: the ids of the tasks to delete.</summary>
internal sealed class DeleteMigrationTasksRequest
{
    public List<string>? TaskIdList { get; set; }
}
