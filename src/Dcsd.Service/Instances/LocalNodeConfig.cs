using System.Globalization;
using Dcsd.Redis.Cluster;
using Dcsd.Redis.Processes;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Instances;

/// <summary>The redis.conf of a node dcsd runs itself: a managed-service default set, like DCS's.</summary>
internal static class LocalNodeConfig
{
    public static RedisServerOptions For(InstanceRecord instance, NodeRecord node, int masterPort, string serverPath) => new()
    {
        ServerPath = serverPath,
        Directory = node.Directory,
        Port = node.Port,
        Password = instance.Password,
        ConfigLines = instance.CacheMode == CacheModes.Cluster ? LocalCluster.NodeConfigLines(ClusterLines(instance)) : Lines(instance, node, masterPort),
    };

    /// <summary>Each shard of a local cluster is a master and one standby, as a DCS cluster instance is.</summary>
    public const int ClusterReplicasPerShard = 1;

    /// <summary>The managed-service lines of a cluster node (the cluster's own lines come from <see cref="LocalCluster"/>).</summary>
    public static List<string> ClusterLines(InstanceRecord instance) => CommonLines(instance, instance.MaxMemoryBytes / instance.ShardingCount);

    private static List<string> Lines(InstanceRecord instance, NodeRecord node, int masterPort)
    {
        var lines = CommonLines(instance, instance.MaxMemoryBytes);
        if (node.Role == NodeRoles.Replica)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"replicaof 127.0.0.1 {masterPort}"));
        }

        return lines;
    }

    private static List<string> CommonLines(InstanceRecord instance, long maxMemoryBytes) =>
        [
            // AOF keeps a crashed node's data: the supervisor restarts it in place, and a master that came back
            // empty would otherwise wipe its standby on resync.
            "appendonly yes",
            "appendfsync everysec",
            string.Create(CultureInfo.InvariantCulture, $"maxmemory {maxMemoryBytes}"),
            "maxmemory-policy volatile-lru",
            "repl-diskless-sync yes",
            "repl-diskless-sync-delay 0",
            instance.DebugCommandEnabled ? "enable-debug-command yes" : "enable-debug-command no",
        ];
}
