using Dcsd.Service.Imports;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Http.Imports;

/// <summary>
/// DCS migration task routes, used for backup import: create, show, list, delete. DCS has them in v2 only (note the singular
/// <c>migration-task</c> for create and show, the plural for list and delete).
/// </summary>
internal static class MigrationTaskEndpoints
{
    public static void MapMigrationTasks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/{projectId}").WithTags("MigrationTasks");
        group.MapPost("/migration-task", CreateAsync);
        group.MapGet("/migration-task/{taskId}", ShowAsync);
        group.MapGet("/migration-tasks", ListAsync);
        group.MapDelete("/migration-tasks/delete", DeleteAsync);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, string projectId, MigrationTaskService service, CancellationToken cancellationToken)
    {
        string project = RouteIds.Project(projectId);
        var body = await DcsBody.ReadAsync<CreateMigrationTaskRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        var task = await service.StartAsync(project, body, cancellationToken).ConfigureAwait(false);
        return Results.Json(new { id = task.Id, name = task.Name, status = task.Status }, DcsJson.Options);
    }

    private static async Task<IResult> ShowAsync(
        string projectId,
        string taskId,
        MigrationTaskService service,
        BackupRepository backups,
        InstanceRepository instances,
        CancellationToken cancellationToken)
    {
        var task = await service.GetAsync(RouteIds.Project(projectId), taskId, cancellationToken).ConfigureAwait(false);
        var backup = await backups.GetByIdAsync(task.BackupId, cancellationToken).ConfigureAwait(false);
        var target = await instances.GetByIdAsync(task.TargetInstanceId, cancellationToken).ConfigureAwait(false);
        return Results.Json(MigrationTaskView.From(task, backup, target), DcsJson.Options);
    }

    private static async Task<IResult> ListAsync(
        HttpRequest request, string projectId, MigrationTaskRepository tasks, InstanceRepository instances, CancellationToken cancellationToken)
    {
        string project = RouteIds.Project(projectId);
        var query = ListQuery.Parse(request);
        var (total, page) = await tasks.ListAsync(project, request.Query["name"], query.Offset, query.Limit, cancellationToken).ConfigureAwait(false);
        // Tasks of a page often share their instances: look each up once.
        var known = new Dictionary<string, InstanceRecord?>(StringComparer.Ordinal);
        async Task<InstanceRecord?> InstanceAsync(string id)
        {
            if (!known.TryGetValue(id, out var instance))
            {
                instance = await instances.GetByIdAsync(id, cancellationToken).ConfigureAwait(false);
                known[id] = instance;
            }

            return instance;
        }

        var views = new List<MigrationTaskSummaryView>(page.Count);
        foreach (var task in page)
        {
            var source = await InstanceAsync(task.SourceInstanceId).ConfigureAwait(false);
            var target = await InstanceAsync(task.TargetInstanceId).ConfigureAwait(false);
            views.Add(MigrationTaskSummaryView.From(task, source, target));
        }

        return Results.Json(new { count = total, migration_tasks = views }, DcsJson.Options);
    }

    private static async Task<IResult> DeleteAsync(HttpRequest request, string projectId, MigrationTaskService service, CancellationToken cancellationToken)
    {
        string project = RouteIds.Project(projectId);
        var body = await DcsBody.ReadAsync<DeleteMigrationTasksRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        var deleted = await service.DeleteAsync(project, body.TaskIdList, cancellationToken).ConfigureAwait(false);
        return Results.Json(new { task_id_list = deleted }, DcsJson.Options);
    }
}
