using Dcsd.Service.Security;
using Dcsd.Service.Instances;
using Dcsd.Service.Persistence;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Http.Instances;

/// <summary>DCS instance routes, v1.0 and v2: create, list, show, delete.</summary>
internal static class InstanceEndpoints
{
    public static void MapInstances(this IEndpointRouteBuilder app)
    {
        foreach (string version in (string[])["v1.0", "v2"])
        {
            var group = app.MapGroup($"/{version}/{{projectId}}/instances").WithTags("Instances");
            group.MapPost("", CreateAsync);
            group.MapGet("", ListAsync);
            group.MapGet("/{instanceId}", ShowAsync);
            group.MapDelete("/{instanceId}", DeleteAsync);
        }

        app.MapGet("/v2/{projectId}/instances/{instanceId}/logical-nodes", LogicalNodesAsync).WithTags("Instances");
    }

    /// <summary>The instance's shards and nodes as they run now (for an adopted or failed-over deployment, not as created).</summary>
    private static async Task<IResult> LogicalNodesAsync(
        string projectId, string instanceId, InstanceRepository instances, InstanceTopology topology, CancellationToken cancellationToken)
    {
        var instance = await FindAsync(instances, projectId, instanceId, cancellationToken).ConfigureAwait(false);
        List<LogicalNodeView> nodes;
        try
        {
            nodes = instance.Nodes.Count == 0 ? [] : LogicalNodeView.From(instance, await topology.DiscoverAsync(instance, cancellationToken).ConfigureAwait(false));
        }
        catch (Dcsd.Redis.Topology.TopologyException)
        {
            nodes = LogicalNodeView.FromRecords(instance);
        }

        return Results.Json(new { total = nodes.Count, nodes }, DcsJson.Options);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, string projectId, InstanceService service, CancellationToken cancellationToken)
    {
        string project = RouteIds.Project(projectId);
        var body = await DcsBody.ReadAsync<CreateInstanceRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        var instance = await service.CreateAsync(project, body, cancellationToken).ConfigureAwait(false);
        return ApiVersions.Of(request) == DcsApiVersion.V1
            ? Results.Json(new { instance_id = instance.Id }, DcsJson.Options)
            : Results.Json(new { order_id = (string?)null, instances = new[] { new { instance_id = instance.Id, instance_name = instance.Name } } }, DcsJson.Options);
    }

    private static async Task<IResult> ListAsync(
        HttpRequest request, string projectId, InstanceRepository instances, InstanceService service, CancellationToken cancellationToken)
    {
        string project = RouteIds.Project(projectId);
        var paging = ListQuery.Parse(request);
        string? name = request.Query["name"];
        string? status = request.Query["status"];
        var matching = (await instances.ListAsync(project, cancellationToken).ConfigureAwait(false))
            .Where(i => string.IsNullOrEmpty(name) || i.Name.Contains(name, StringComparison.Ordinal))
            .Where(i => string.IsNullOrEmpty(status) || i.Status.Equals(status, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var views = new List<InstanceView>();
        foreach (var instance in matching.Skip(paging.Offset).Take(paging.Limit))
        {
            views.Add(InstanceView.From(instance, await service.ActiveJobAsync(instance.Id, cancellationToken).ConfigureAwait(false)));
        }

        return Results.Json(new { instance_num = matching.Count, instances = views }, DcsJson.Options);
    }

    private static async Task<IResult> ShowAsync(
        string projectId, string instanceId, InstanceRepository instances, InstanceService service, CancellationToken cancellationToken)
    {
        var instance = await FindAsync(instances, projectId, instanceId, cancellationToken).ConfigureAwait(false);
        return Results.Json(InstanceView.From(instance, await service.ActiveJobAsync(instance.Id, cancellationToken).ConfigureAwait(false)), DcsJson.Options);
    }

    private static async Task<IResult> DeleteAsync(
        string projectId, string instanceId, InstanceRepository instances, InstanceService service, CancellationToken cancellationToken)
    {
        var instance = await FindAsync(instances, projectId, instanceId, cancellationToken).ConfigureAwait(false);
        DcsErrors.ThrowIfBusy(await service.ActiveJobAsync(instance.Id, cancellationToken).ConfigureAwait(false));

        await service.DeleteAsync(instance, cancellationToken).ConfigureAwait(false);
        return Results.NoContent();
    }

    /// <summary>The instance of the path, or DCS.3022 — also when it belongs to another project.</summary>
    public static async Task<InstanceRecord> FindAsync(InstanceRepository instances, string projectId, string instanceId, CancellationToken cancellationToken) =>
        await instances.GetAsync(RouteIds.Project(projectId), RouteIds.Instance(instanceId), cancellationToken).ConfigureAwait(false)
            ?? throw new DcsException(DcsErrors.InstanceNotFound);
}
