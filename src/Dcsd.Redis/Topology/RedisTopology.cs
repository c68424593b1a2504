using Dcsd.Redis.Protocol;
using Dcsd.Redis.Replication;
using Dcsd.Redis.Restore;

namespace Dcsd.Redis.Topology;

/// <summary>Finds out what runs behind a set of endpoints: a standalone node, a master with standbys, or a cluster.</summary>
public static class RedisTopology
{
    // A replica of a replica of …: more hops than this means a loop or a misconfiguration.
    private const int MaxReplicaHops = 8;

    /// <summary>
    /// Connects to the first seed that answers and describes its deployment. Cluster: from CLUSTER SHARDS (CLUSTER NODES
    /// on servers without it), as that node sees the cluster. Otherwise: from INFO replication, following a replica to its
    /// master, whose replica lines give the standbys (a seed that is a replica of that master but missing from its list,
    /// e.g. with its link down, is added as <see cref="NodeHealth.Failed"/>).
    /// A seed that cannot answer (down, loading, its master unreachable) is skipped for the next one. Throws
    /// <see cref="RedisFailureException"/>: Unreachable when no seed accepts a connection, Timeout when one accepted but did not answer in time, AuthenticationFailed when the password is refused,
    /// Inconsistent for a replication loop or a shard without master.
    /// </summary>
    public static async Task<Deployment> DiscoverAsync(IReadOnlyList<(string Host, int Port)> seeds, string? password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0)
        {
            throw new ArgumentException("at least one seed endpoint is needed", nameof(seeds));
        }

        var failures = new List<RedisFailureException>();
        foreach ((string host, int port) in seeds)
        {
            RedisNodeClient connection;
            try
            {
                connection = await RedisNodeClient.ConnectAsync(host, port, password, cancellationToken).ConfigureAwait(false);
            }
            catch (RedisFailureException ex)
            {
                failures.Add(ex);
                continue;
            }

            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    InfoSection clusterInfo = await connection.InfoAsync("cluster", cancellationToken).ConfigureAwait(false);
                    return clusterInfo.IsSet("cluster_enabled")
                        ? await DiscoverClusterAsync(connection, cancellationToken).ConfigureAwait(false)
                        : await DiscoverReplicationAsync(connection, seeds, password, cancellationToken).ConfigureAwait(false);
                }
                catch (RedisFailureException ex) when (ex.Kind != RedisFailureKind.Inconsistent)
                {
                    // This seed (or the master it points to) cannot tell right now, e.g. it is loading: ask the next one.
                    failures.Add(ex);
                }
            }
        }

        RedisFailureKind reason = failures.Any(failure => failure.Kind == RedisFailureKind.AuthenticationFailed) ? RedisFailureKind.AuthenticationFailed
            : failures.All(failure => failure.Kind == RedisFailureKind.Refused) ? RedisFailureKind.Refused
            // A node that took the connection and then said nothing is not answering, not unreachable (DEBUG SLEEP, a stuck fork).
            : failures.Any(failure => failure.Kind == RedisFailureKind.Timeout) ? RedisFailureKind.Timeout
            : RedisFailureKind.Unreachable;
        throw new RedisFailureException(reason, "no seed answered: " + string.Join("; ", failures.Select(failure => failure.Message)), new AggregateException(failures));
    }

    private static async Task<Deployment> DiscoverClusterAsync(RedisNodeClient connection, CancellationToken cancellationToken)
    {
        try
        {
            return ClusterTopologyParser.ParseShards(await connection.ExecuteAsync("CLUSTER", ["SHARDS"], cancellationToken).ConfigureAwait(false));
        }
        catch (RedisFailureException ex) when (ex.Kind == RedisFailureKind.Refused && ex.Message.Contains("unknown subcommand", StringComparison.OrdinalIgnoreCase))
        {
            // Redis < 7.0.
            string nodes = (await connection.ExecuteAsync("CLUSTER", ["NODES"], cancellationToken).ConfigureAwait(false)).ToString();
            return ClusterTopologyParser.ParseNodes(nodes);
        }
    }

    private static async Task<Deployment> DiscoverReplicationAsync(RedisNodeClient seed, IReadOnlyList<(string Host, int Port)> seeds, string? password, CancellationToken cancellationToken)
    {
        ReplicationInfo info = ReplicationInfo.From(await seed.InfoAsync("replication", cancellationToken).ConfigureAwait(false));
        (string host, int port) = (seed.Host, seed.Port);
        var visited = new HashSet<string>(StringComparer.Ordinal) { seed.EndPoint };
        for (int hop = 0; info.Role == ReplicationRole.Replica; hop++)
        {
            if (info.MasterHost is null || info.MasterPort is null || hop >= MaxReplicaHops)
            {
                throw new RedisFailureException(RedisFailureKind.Inconsistent, $"{host}:{port} is a replica without a reachable master chain");
            }

            (host, port) = (info.MasterHost, info.MasterPort.Value);
            RedisNodeClient master = await RedisNodeClient.ConnectAsync(host, port, password, cancellationToken).ConfigureAwait(false);
            await using (master.ConfigureAwait(false))
            {
                if (!visited.Add(master.EndPoint))
                {
                    throw new RedisFailureException(RedisFailureKind.Inconsistent, $"replication loop through {master.EndPoint}");
                }

                info = ReplicationInfo.From(await master.InfoAsync("replication", cancellationToken).ConfigureAwait(false));
            }
        }

        var masterNode = new NodeInfo(null, host, port, NodeRole.Master, info.MasterReplicationOffset, NodeHealth.Online);
        var replicas = info.ConnectedReplicas
            .Select(replica => new NodeInfo(null, replica.Ip, replica.Port, NodeRole.Replica, replica.Offset, replica.State == "online" ? NodeHealth.Online : NodeHealth.Loading))
            .ToList();
        foreach ((string seedHost, int seedPort) in seeds)
        {
            bool listed = replicas.Any(replica => replica.Port == seedPort && SameHost(replica.Host, seedHost)) || (seedPort == port && SameHost(seedHost, host));
            if (!listed && await IsReplicaOfAsync(seedHost, seedPort, host, port, password, cancellationToken).ConfigureAwait(false))
            {
                replicas.Add(new NodeInfo(null, seedHost, seedPort, NodeRole.Replica, null, NodeHealth.Failed));
            }
        }

        var shard = new ShardInfo(0, [], masterNode, replicas);
        return new Deployment(replicas.Count > 0 ? DeploymentMode.MasterStandby : DeploymentMode.Standalone, [shard]);
    }

    /// <summary>True when the node answers and says it replicates host:port (an unreachable seed is simply not counted).</summary>
    private static async Task<bool> IsReplicaOfAsync(string host, int port, string masterHost, int masterPort, string? password, CancellationToken cancellationToken)
    {
        try
        {
            RedisNodeClient node = await RedisNodeClient.ConnectAsync(host, port, password, cancellationToken).ConfigureAwait(false);
            await using (node.ConfigureAwait(false))
            {
                ReplicationInfo info = ReplicationInfo.From(await node.InfoAsync("replication", cancellationToken).ConfigureAwait(false));
                return info.Role == ReplicationRole.Replica && info.MasterPort == masterPort && info.MasterHost is { } h && SameHost(h, masterHost);
            }
        }
        catch (RedisFailureException)
        {
            return false;
        }
    }

    private static bool SameHost(string a, string b) =>
        string.Equals(a, b, StringComparison.OrdinalIgnoreCase) || (IsLoopback(a) && IsLoopback(b));

    private static bool IsLoopback(string host) => host is "127.0.0.1" or "localhost" or "::1";
}
