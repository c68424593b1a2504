namespace Dcsd.Service.Http.Imports;

/// <summary>DeleteMigrationTaskBody: the ids of the tasks to delete.</summary>
internal sealed class DeleteMigrationTasksRequest
{
    public List<string>? TaskIdList { get; set; }
}
