using Dcsd.Service.Security;
using Dcsd.Service.Http.Instances;
using Dcsd.Service.Backups;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Http.Backups;

/// <summary>DCS backup routes, v1.0 (the seed's) and v2: back up, list, delete.</summary>
internal static class BackupEndpoints
{
    public static void MapBackups(this IEndpointRouteBuilder app)
    {
        foreach (string version in (string[])["v1.0", "v2"])
        {
            var group = app.MapGroup($"/{version}/{{projectId}}/instances/{{instanceId}}/backups").WithTags("Backups");
            group.MapPost("", CreateAsync);
            group.MapGet("", ListAsync);
            group.MapDelete("/{backupId}", DeleteAsync);
        }
    }

    private static async Task<IResult> CreateAsync(
        HttpRequest request, string projectId, string instanceId, InstanceRepository instances, BackupService service, CancellationToken cancellationToken)
    {
        var instance = await InstanceEndpoints.FindAsync(instances, projectId, instanceId, cancellationToken).ConfigureAwait(false);
        var body = await DcsBody.ReadAsync<CreateBackupRequest>(request, required: false, cancellationToken).ConfigureAwait(false);
        // v1.0 has no backup_format: it always backs up RDB.
        string? format = ApiVersions.Of(request) == DcsApiVersion.V1 ? null : body.BackupFormat;
        var backup = await service.StartAsync(instance, body.Remark, format, "manual", cancellationToken).ConfigureAwait(false);
        return Results.Json(new { backup_id = backup.Id }, DcsJson.Options);
    }

    private static async Task<IResult> ListAsync(
        HttpRequest request, string projectId, string instanceId, InstanceRepository instances, BackupRepository backups, CancellationToken cancellationToken)
    {
        var instance = await InstanceEndpoints.FindAsync(instances, projectId, instanceId, cancellationToken).ConfigureAwait(false);
        var query = ListQuery.Parse(request);
        var (total, page) = await backups.ListAsync(instance.ProjectId, instance.Id, query.Begin, query.End, query.Offset, query.Limit, cancellationToken).ConfigureAwait(false);
        var version = ApiVersions.Of(request);
        return Results.Json(new { total_num = total, backup_record_response = page.Select(b => BackupView.From(b, version)) }, DcsJson.Options);
    }

    private static async Task<IResult> DeleteAsync(
        HttpRequest request, string projectId, string instanceId, string backupId, InstanceRepository instances, BackupService service, CancellationToken cancellationToken)
    {
        var instance = await InstanceEndpoints.FindAsync(instances, projectId, instanceId, cancellationToken).ConfigureAwait(false);
        await service.DeleteAsync(instance, RouteIds.Uuid(backupId, "backup_id"), cancellationToken).ConfigureAwait(false);
        // v1.0 answers 200 {"message": ""}; v2 answers 204 with no body.
        return ApiVersions.Of(request) == DcsApiVersion.V1 ? Results.Json(new { message = string.Empty }, DcsJson.Options) : Results.NoContent();
    }
}
