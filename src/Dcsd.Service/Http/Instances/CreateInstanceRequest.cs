using System.Text.Json;

namespace Dcsd.Service.Http.Instances;

/// <summary>
/// The DCS CreateInstance body, v2 and v1.0 alike. Cloud-only fields (az_codes, vpc_id, subnet_id, security_group_id,
/// enterprise_project_id, …) are accepted and ignored: unknown members are skipped by the serializer.
/// </summary>
internal sealed record CreateInstanceRequest
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public string? Engine { get; set; }

    public string? EngineVersion { get; set; }

    public double? Capacity { get; set; }

    public string? SpecCode { get; set; }

    /// <summary>v1.0 names the spec differently (dcs.single_node, dcs.master_standby, dcs.cluster).</summary>
    public string? ResourceSpecCode { get; set; }

    public string? Password { get; set; }

    /// <summary>dcsd's own extension: allow the DEBUG command on the nodes (off by default, as on managed services).</summary>
    public bool? EnableDebugCommand { get; set; }

    /// <summary>v1.0 sends "true"/"false" strings; later SDKs send booleans.</summary>
    public JsonElement? NoPasswordAccess { get; set; }

    /// <summary>Shards of a cluster instance (dcsd accepts 1 to 16; the default is 3). Ignored for other modes.</summary>
    public int? ShardingCount { get; set; }

    /// <summary>dcsd's extension: adopt a deployment that already runs instead of starting one.</summary>
    public AdoptRequest? Adopt { get; set; }
}

/// <summary>
/// The existing nodes an adopted instance stands for: any of a master/standby pair, or any nodes of a cluster. dcsd reads
/// the real topology from them and never starts or stops their processes.
/// </summary>
internal sealed class AdoptRequest
{
    /// <summary>host:port of one or more nodes.</summary>
    public List<string>? Nodes { get; set; }

    /// <summary>The deployment's password (AUTH); the top-level password is used when this is absent.</summary>
    public string? Password { get; set; }
}
