using Dcsd.Redis.Protocol;
using Dcsd.Redis.Replication;
using Dcsd.Redis.Restore;
using Dcsd.Redis.Topology;

namespace Dcsd.Redis.Cluster;

/// <summary>When a Redis Cluster is fit to serve: every node agrees it is, and every replica holds its master's data.</summary>
public static class ClusterHealth
{
    /// <summary>
    /// Waits until every node in <paramref name="nodes"/> says <c>cluster_state:ok</c> and sees <paramref name="shards"/> shards,
    /// each with <paramref name="replicasPerShard"/> online replicas (any number when null: a deployment dcsd did not build
    /// may have shards of different sizes), and every replica's link is up with no sync loading.
    /// Returns the topology the nodes agree on; throws <see cref="RedisFailureException"/> (Timeout) after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<Deployment> WaitUntilHealthyAsync(
        IReadOnlyList<(string Host, int Port)> nodes, string? password, int shards, int? replicasPerShard, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);

        // Connections are kept across polls (opening one per poll would cost more than the checks themselves).
        var connections = new RedisNodeClient?[nodes.Count];
        Deployment? seen = null;
        try
        {
            await WaitForAsync(
                "the cluster to become healthy",
                async () =>
                {
                    for (int index = 0; index < nodes.Count; index++)
                    {
                        try
                        {
                            connections[index] ??= await RedisNodeClient.ConnectAsync(nodes[index].Host, nodes[index].Port, password, cancellationToken).ConfigureAwait(false);
                            Deployment? view = await HealthyViewAsync(connections[index]!, shards, replicasPerShard, cancellationToken).ConfigureAwait(false);
                            if (view is null)
                            {
                                return false;
                            }

                            seen = view;
                        }
                        catch (RedisFailureException)
                        {
                            // Still starting or loading its data: reconnect on the next poll.
                            if (connections[index] is { } broken)
                            {
                                await broken.DisposeAsync().ConfigureAwait(false);
                                connections[index] = null;
                            }

                            return false;
                        }
                    }

                    return true;
                },
                timeout,
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (RedisNodeClient? connection in connections)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        return seen!;
    }

    /// <summary>This node's view of the cluster when it is the expected, healthy one; null otherwise.</summary>
    private static async Task<Deployment?> HealthyViewAsync(RedisNodeClient connection, int shards, int? replicasPerShard, CancellationToken cancellationToken)
    {
        InfoSection info = InfoSection.Parse((await connection.ExecuteAsync("CLUSTER", ["INFO"], cancellationToken).ConfigureAwait(false)).ToString());
        if (info.Get("cluster_state") != "ok")
        {
            return null;
        }

        Deployment view = ClusterTopologyParser.ParseShards(await connection.ExecuteAsync("CLUSTER", ["SHARDS"], cancellationToken).ConfigureAwait(false));
        if (view.Shards.Count != shards
            || view.Shards.Any(shard => (replicasPerShard is { } replicas && shard.Replicas.Count != replicas) || shard.Nodes.Any(node => node.Health != NodeHealth.Online)))
        {
            return null;
        }

        ReplicationInfo replication = ReplicationInfo.From(await connection.InfoAsync("replication", cancellationToken).ConfigureAwait(false));
        return replication.Role == ReplicationRole.Replica && (!replication.MasterLinkUp || replication.MasterSyncInProgress) ? null : view;
    }

    internal static async Task WaitForAsync(string what, Func<Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new RedisFailureException(RedisFailureKind.Timeout, $"gave up waiting for {what} after {timeout}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
