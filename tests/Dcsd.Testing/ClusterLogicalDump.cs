using Dcsd.Redis.Cluster;
using Dcsd.Redis.Topology;
using StackExchange.Redis;

namespace Dcsd.Testing;

/// <summary>
/// <see cref="LogicalDump"/> of a whole cluster: every master's keys (db 0, the only one a cluster has), each described
/// on the master that holds it. Also checks that every key sits on the master owning its slot.
/// </summary>
public static class ClusterLogicalDump
{
    public static async Task<SortedDictionary<string, string>> TakeAsync(ConnectionMultiplexer connection, Deployment deployment)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var db = connection.GetDatabase();
        foreach (ShardInfo shard in deployment.Shards)
        {
            var server = connection.GetServer(shard.Master.Host, shard.Master.Port);
            await foreach (var key in server.KeysAsync(0, pageSize: 1000))
            {
                int slot = ClusterSlot.Of((byte[])key!);
                if (!shard.OwnsSlot(slot))
                {
                    throw new InvalidOperationException($"key {key} (slot {slot}) is on {shard}, which does not own its slot");
                }

                result[$"0/{key}"] = await LogicalDump.DescribeAsync(db, key);
            }
        }

        return result;
    }
}
