using Dcsd.Service.Http.Instances;
using Dcsd.Service.Restores;
using Dcsd.Service.Security;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Http.Restores;

/// <summary>DCS restore routes, v1.0 and v2: restore an instance from one of its backups, list its restores.</summary>
internal static class RestoreEndpoints
{
    public static void MapRestores(this IEndpointRouteBuilder app)
    {
        foreach (string version in (string[])["v1.0", "v2"])
        {
            var group = app.MapGroup($"/{version}/{{projectId}}/instances/{{instanceId}}/restores").WithTags("Restores");
            group.MapPost("", CreateAsync);
            group.MapGet("", ListAsync);
        }
    }

    private static async Task<IResult> CreateAsync(
        HttpRequest request, string projectId, string instanceId, InstanceRepository instances, RestoreService service, CancellationToken cancellationToken)
    {
        var instance = await InstanceEndpoints.FindAsync(instances, projectId, instanceId, cancellationToken).ConfigureAwait(false);
        var body = await DcsBody.ReadAsync<CreateRestoreRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        var restore = await service.StartAsync(instance, body.BackupId, body.Remark, cancellationToken).ConfigureAwait(false);
        return Results.Json(new { restore_id = restore.Id }, DcsJson.Options);
    }

    private static async Task<IResult> ListAsync(
        HttpRequest request,
        string projectId,
        string instanceId,
        InstanceRepository instances,
        RestoreRepository restores,
        BackupRepository backups,
        CancellationToken cancellationToken)
    {
        var instance = await InstanceEndpoints.FindAsync(instances, projectId, instanceId, cancellationToken).ConfigureAwait(false);
        var query = ListQuery.Parse(request);
        var (total, page) = await restores.ListAsync(instance.ProjectId, instance.Id, query.Begin, query.End, query.Offset, query.Limit, cancellationToken).ConfigureAwait(false);
        bool v1 = ApiVersions.Of(request) == DcsApiVersion.V1;
        var views = new List<RestoreView>(page.Count);
        foreach (var restore in page)
        {
            var backup = await backups.GetByIdAsync(restore.BackupId, cancellationToken).ConfigureAwait(false);
            var source = restore.SourceInstanceId == instance.Id ? instance : await instances.GetByIdAsync(restore.SourceInstanceId, cancellationToken).ConfigureAwait(false);
            views.Add(RestoreView.From(restore, backup, source, v1));
        }

        return Results.Json(new { total_num = total, restore_record_response = views }, DcsJson.Options);
    }
}
