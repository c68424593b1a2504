using Dcsd.Redis.Cluster;
using Dcsd.Redis.Replication;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Instances;

/// <summary>
/// An instance is ready when every node answers and every standby has finished its sync with the master; a cluster also
/// when every node says cluster_state:ok and sees every shard.
/// </summary>
internal sealed class InstanceReadiness(RedisAdmin admin, TimeProvider time)
{
    public async Task WaitUntilReadyAsync(InstanceRecord instance, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (instance.CacheMode == CacheModes.Cluster)
        {
            // dcsd knows the shape of the clusters it built; an adopted one's nodes may have moved since they were recorded.
            int? replicas = instance.IsAdopted ? null : LocalNodeConfig.ClusterReplicasPerShard;
            int shards = instance.IsAdopted ? instance.Nodes.Select(node => node.Shard).Distinct().Count() : instance.ShardingCount;
            await ClusterHealth.WaitUntilHealthyAsync(
                [.. instance.Nodes.Select(node => (node.Host, node.Port))], instance.Password, shards, replicas, timeout, cancellationToken).ConfigureAwait(false);
            return;
        }

        var deadline = time.GetUtcNow() + timeout;
        foreach (var replica in instance.Nodes.Where(n => n.Role == NodeRoles.Replica))
        {
            while (!await IsInSyncAsync(instance, replica, cancellationToken).ConfigureAwait(false))
            {
                if (time.GetUtcNow() > deadline)
                {
                    throw new TimeoutException($"standby on port {replica.Port} did not finish its sync within {timeout}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> IsInSyncAsync(InstanceRecord instance, NodeRecord replica, CancellationToken cancellationToken)
    {
        var info = ReplicationInfo.Parse(await admin.InfoAsync(instance, replica, "replication", cancellationToken).ConfigureAwait(false));
        return info is { MasterLinkUp: true, MasterSyncInProgress: false };
    }
}
