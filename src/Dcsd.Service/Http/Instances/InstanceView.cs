using System.Text.Json.Serialization;
using Dcsd.Service.Persistence;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Http.Instances;

/// <summary>The DCS instance as ShowInstance/ListInstances return it (v1.0 and v2 share the field names).</summary>
internal sealed record InstanceView(
    string InstanceId,
    string Name,
    string? Description,
    string Engine,
    string EngineVersion,
    string CacheMode,
    string SpecCode,
    int Capacity,
    string? CapacityMinor,
    string Status,
    string? Task,
    string SubStatus,
    string? Ip,
    int? Port,
    string? DomainName,
    long MaxMemory,
    string NoPasswordAccess,
    int ShardingCount,
    int ReplicaCount,
    string ProjectId,
    string ProductType,
    string StorageType,
    string CreatedAt,
    [property: JsonPropertyName("instance_backup_policy")] object? InstanceBackupPolicy,
    bool Adopted)
{
    public static InstanceView From(InstanceRecord instance, ActiveJob activeJob)
    {
        var master = instance.Master;
        bool whole = instance.Capacity >= 1 && Math.Abs(instance.Capacity - Math.Round(instance.Capacity)) < 1e-9;
        return new InstanceView(
            instance.Id,
            instance.Name,
            instance.Description,
            instance.Engine,
            instance.EngineVersion,
            instance.CacheMode,
            instance.SpecCode,
            whole ? (int)instance.Capacity : 0,
            whole ? null : instance.Capacity.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
            instance.Status,
            activeJob switch
            {
                ActiveJob.Backup => "BACKUPING",
                ActiveJob.Restore => "RESTORING",
                _ => null,
            },
            "normal",
            master is { Port: > 0 } ? master.Host : null,
            master is { Port: > 0 } ? master.Port : null,
            master is { Port: > 0 } ? master.Host : null,
            instance.MaxMemoryBytes / (1024 * 1024),
            instance.Password is null ? "true" : "false",
            instance.ShardingCount,
            instance.Nodes.Count / Math.Max(1, instance.Nodes.Count(n => n.Role == NodeRoles.Master)),
            instance.ProjectId,
            "generic",
            "DRAM",
            DcsJson.Timestamp(instance.CreatedAt)!,
            null,
            instance.IsAdopted);
    }
}
