using System.Globalization;
using Dcsd.Redis.Processes;
using Dcsd.Service.Store;

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
        ConfigLines = Lines(instance, node, masterPort),
    };

    private static List<string> Lines(InstanceRecord instance, NodeRecord node, int masterPort)
    {
        var lines = new List<string>
        {
            // AOF keeps a crashed node's data: the supervisor restarts it in place, and a master that came back
            // empty would otherwise wipe its standby on resync.
            "appendonly yes",
            "appendfsync everysec",
            string.Create(CultureInfo.InvariantCulture, $"maxmemory {instance.MaxMemoryBytes}"),
            "maxmemory-policy volatile-lru",
            "repl-diskless-sync yes",
            "repl-diskless-sync-delay 0",
            instance.DebugCommandEnabled ? "enable-debug-command yes" : "enable-debug-command no",
        };
        if (node.Role == NodeRoles.Replica)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"replicaof 127.0.0.1 {masterPort}"));
        }

        return lines;
    }
}
