using Dcsd.Service.Persistence;

namespace Dcsd.Service.Instances;

/// <summary>The cache mode a DCS spec code asks for.</summary>
internal static class SpecCodes
{
    /// <summary>
    /// v2 spec codes carry the mode in their second segment (redis.single.xu1.tiny.128, redis.ha.xu1.large.r2.2,
    /// redis.cluster.xu1.large.shard.2); v1.0 resource spec codes name it (dcs.single_node, dcs.master_standby, dcs.cluster).
    /// </summary>
    public static string? CacheModeOf(string specCode)
    {
        string[] segments = specCode.Split('.');
        if (segments.Length >= 2 && segments[0].Equals("redis", StringComparison.OrdinalIgnoreCase))
        {
            return segments[1].ToLowerInvariant() switch
            {
                "single" => CacheModes.Single,
                "ha" => CacheModes.Ha,
                "cluster" => CacheModes.Cluster,
                _ => null,
            };
        }

        return specCode.ToLowerInvariant() switch
        {
            "dcs.single_node" => CacheModes.Single,
            "dcs.master_standby" => CacheModes.Ha,
            "dcs.cluster" => CacheModes.Cluster,
            _ => null,
        };
    }
}
