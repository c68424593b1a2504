using System.Text.Json;

namespace Dcsd.Service.Api.Instances;

/// <summary>
/// The DCS CreateInstance body, v2 and v1.0 alike. Cloud-only fields (az_codes, vpc_id, subnet_id, security_group_id,
/// enterprise_project_id, …) are accepted and ignored: unknown members are skipped by the serializer.
/// </summary>
internal sealed class CreateInstanceRequest
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
}
