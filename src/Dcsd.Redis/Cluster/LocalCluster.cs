using System.Globalization;
using Dcsd.Redis.Processes;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Replication;
using Dcsd.Redis.Restore;
using Dcsd.Redis.Topology;

namespace Dcsd.Redis.Cluster;

/// <summary>
/// A Redis Cluster of local redis-server processes on 127.0.0.1, one directory per node (<c>node-{index}</c> under the
/// root, holding its redis.conf, nodes.conf and data). Node <c>s × (1 + replicasPerShard)</c> starts as the master of
/// shard <c>s</c>, the following ones as its replicas. A node restarted from its directory on its port rejoins the
/// cluster by itself: its nodes.conf remembers its id, epoch and peers.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly RedisServerProcess[] _nodes;
    private readonly IReadOnlyList<string> _extraConfig;
    private readonly int _shards;
    private readonly int _replicasPerShard;

    private LocalCluster(RedisServerProcess[] nodes, string directoryRoot, string? password, IReadOnlyList<string> extraConfig, int shards, int replicasPerShard)
    {
        _nodes = nodes;
        DirectoryRoot = directoryRoot;
        Password = password;
        _extraConfig = extraConfig;
        _shards = shards;
        _replicasPerShard = replicasPerShard;
    }

    public string DirectoryRoot { get; }

    public string? Password { get; }

    /// <summary>The processes, by node index (a restarted node's entry is replaced).</summary>
    public IReadOnlyList<RedisServerProcess> Nodes => _nodes;

    public IReadOnlyList<(string Host, int Port)> EndPoints => _nodes.Select(node => (RedisServerProcess.Host, node.Port)).ToList();

    /// <summary>The topology as discovered once the cluster was healthy (see <see cref="DiscoverAsync"/> for a fresh one).</summary>
    public Deployment Deployment { get; private set; } = new(DeploymentMode.Cluster, []);

    /// <summary>How long <see cref="CreateAsync"/> and restarts wait for the cluster to become healthy.</summary>
    public static TimeSpan HealthyTimeout { get; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The redis.conf lines every node gets: cluster mode, the announce address, diskless replication without delay, a
    /// node timeout generous enough for a busy host; <paramref name="extraConfig"/> comes last, so it can override them.
    /// </summary>
    public static IReadOnlyList<string> NodeConfigLines(IReadOnlyList<string> extraConfig) =>
    [
        "cluster-enabled yes",
        "cluster-config-file nodes.conf",
        "cluster-announce-ip 127.0.0.1",
        "cluster-node-timeout 15000",
        "repl-diskless-sync yes",
        "repl-diskless-sync-delay 0",
        .. extraConfig,
    ];

    public static string NodeDirectory(string directoryRoot, int index) =>
        Path.Combine(directoryRoot, "node-" + index.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Starts <paramref name="shards"/> × (1 + <paramref name="replicasPerShard"/>) nodes, gives each master an even share of the
    /// 16384 slots (CLUSTER ADDSLOTSRANGE), joins them (CLUSTER MEET), attaches the replicas (CLUSTER REPLICATE), and
    /// returns once every node reports <c>cluster_state:ok</c>, sees the whole topology, and every replica is in sync.
    /// On failure every started process is stopped.
    /// </summary>
    public static async Task<LocalCluster> CreateAsync(int shards, int replicasPerShard, string directoryRoot, string? password, IReadOnlyList<string> extraConfig, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shards, ClusterSlot.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(replicasPerShard);
        ArgumentNullException.ThrowIfNull(extraConfig);
        int nodes = shards * (1 + replicasPerShard);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartAsync(directoryRoot, new int[nodes], shards, replicasPerShard, password, extraConfig, cluster => cluster.BootstrapAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (ForeignNodeException ex)
            {
                if (attempt == ForeignNodeAttempts)
                {
                    throw new RedisFailureException(RedisFailureKind.Refused, $"{ex.Message} (on {attempt} sets of ports)", ex);
                }

                // Fresh ports, and no nodes.conf remembering the stranger.
                for (int index = 0; index < nodes; index++)
                {
                    Directory.Delete(NodeDirectory(directoryRoot, index), recursive: true);
                }
            }
        }
    }

    private const int ForeignNodeAttempts = 3;

    /// <summary>
    /// A node met another cluster's node before it was joined to its own: some other cluster on this host still reaches out
    /// to the port it was given (a handshake with a node that stopped there keeps sending MEET for a node timeout). Joining
    /// it would merge the two clusters, so the cluster is created again on other ports.
    /// </summary>
    private sealed class ForeignNodeException(string message) : Exception(message);

    /// <summary>
    /// Starts the nodes of a cluster created earlier under <paramref name="directoryRoot"/> (e.g. after the host restarted),
    /// each on the port it had (<paramref name="ports"/>, by node index), and waits until the cluster is healthy again.
    /// </summary>
    public static async Task<LocalCluster> StartExistingAsync(string directoryRoot, IReadOnlyList<int> ports, int shards, int replicasPerShard, string? password, IReadOnlyList<string> extraConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ports);
        return await StartAsync(directoryRoot, ports, shards, replicasPerShard, password, extraConfig, cluster => cluster.WaitUntilHealthyAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts one process per port (0 = a free one), then <paramref name="settle"/>s them; any failure stops them all.</summary>
    private static async Task<LocalCluster> StartAsync(
        string directoryRoot,
        IReadOnlyList<int> ports,
        int shards,
        int replicasPerShard,
        string? password,
        IReadOnlyList<string> extraConfig,
        Func<LocalCluster, Task> settle,
        CancellationToken cancellationToken)
    {
        var starts = ports.Select((port, index) => RedisServerProcess.StartAsync(Options(directoryRoot, index, port, password, extraConfig), cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            await StopAllAsync(starts.Where(start => start.IsCompletedSuccessfully).Select(start => start.Result)).ConfigureAwait(false);
            throw;
        }

        var cluster = new LocalCluster(starts.Select(start => start.Result).ToArray(), directoryRoot, password, extraConfig, shards, replicasPerShard);
        try
        {
            await settle(cluster).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The topology as the first answering node sees it now.</summary>
    public Task<Deployment> DiscoverAsync(CancellationToken cancellationToken) => RedisTopology.DiscoverAsync(EndPoints, Password, cancellationToken);

    /// <summary>Kills node <paramref name="index"/> without letting it clean up, as a crash would.</summary>
    public void KillNode(int index) => _nodes[index].Kill();

    /// <summary>Stops node <paramref name="index"/> if it still runs, starts it again from its directory on its port, and waits until the cluster is healthy.</summary>
    public async Task RestartNodeAsync(int index, CancellationToken cancellationToken)
    {
        RedisServerProcess old = _nodes[index];
        await old.DisposeAsync().ConfigureAwait(false);
        _nodes[index] = await RedisServerProcess.StartAsync(Options(DirectoryRoot, index, old.Port, Password, _extraConfig), cancellationToken).ConfigureAwait(false);
        await WaitUntilHealthyAsync(cancellationToken).ConfigureAwait(false);
    }

    private static RedisServerOptions Options(string directoryRoot, int index, int port, string? password, IReadOnlyList<string> extraConfig) => new()
    {
        Directory = NodeDirectory(directoryRoot, index),
        Port = port,
        Password = password,
        ConfigLines = NodeConfigLines(extraConfig),
    };

    private async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        var connections = new List<RedisNodeClient>();
        try
        {
            foreach (RedisServerProcess node in _nodes)
            {
                connections.Add(await RedisNodeClient.ConnectAsync(RedisServerProcess.Host, node.Port, Password, cancellationToken).ConfigureAwait(false));
            }

            var ids = new string[_nodes.Length];
            for (int index = 0; index < _nodes.Length; index++)
            {
                ids[index] = (await connections[index].ExecuteAsync("CLUSTER", ["MYID"], cancellationToken).ConfigureAwait(false)).ToString();
                InfoSection info = InfoSection.Parse((await connections[index].ExecuteAsync("CLUSTER", ["INFO"], cancellationToken).ConfigureAwait(false)).ToString());
                if ((info.GetLong("cluster_known_nodes") ?? 0) != 1)
                {
                    throw new ForeignNodeException($"the new node on port {_nodes[index].Port} knows other nodes before it joined its own cluster");
                }

                try
                {
                    // Distinct epochs up front (as redis-cli --cluster create does) spare the cluster its epoch-collision
                    // resolution. Refused only when the node has met another one since the check above.
                    await connections[index].ExecuteAsync("CLUSTER", ["SET-CONFIG-EPOCH", index + 1], cancellationToken).ConfigureAwait(false);
                }
                catch (RedisFailureException ex) when (ex.Kind == RedisFailureKind.Refused)
                {
                    throw new ForeignNodeException($"the new node on port {_nodes[index].Port} met another node before it joined its own cluster: {ex.Message}");
                }
            }

            int group = 1 + _replicasPerShard;
            for (int shard = 0; shard < _shards; shard++)
            {
                SlotRange range = EvenSlotRange(shard, _shards);
                await connections[shard * group].ExecuteAsync("CLUSTER", ["ADDSLOTSRANGE", range.Start, range.End], cancellationToken).ConfigureAwait(false);
            }

            for (int index = 1; index < _nodes.Length; index++)
            {
                await connections[index].ExecuteAsync("CLUSTER", ["MEET", RedisServerProcess.Host, _nodes[0].Port], cancellationToken).ConfigureAwait(false);
            }

            await ClusterHealth.WaitForAsync(
                "every node to know every other node",
                async () =>
                {
                    foreach (RedisNodeClient connection in connections)
                    {
                        InfoSection info = InfoSection.Parse((await connection.ExecuteAsync("CLUSTER", ["INFO"], cancellationToken).ConfigureAwait(false)).ToString());
                        long known = info.GetLong("cluster_known_nodes") ?? 0;
                        if (known > _nodes.Length)
                        {
                            throw new ForeignNodeException($"the new cluster knows {known} nodes instead of {_nodes.Length}: another cluster's node met one of its nodes");
                        }

                        if (known != _nodes.Length)
                        {
                            return false;
                        }
                    }

                    return true;
                },
                HealthyTimeout,
                cancellationToken).ConfigureAwait(false);

            for (int index = 0; index < _nodes.Length; index++)
            {
                if (index % group != 0)
                {
                    string masterId = ids[index - (index % group)];

                    // The replica may not have learnt the master's role from gossip yet ("not a master"): retry until it has.
                    int replica = index;
                    await ClusterHealth.WaitForAsync(
                        $"node {replica} to accept CLUSTER REPLICATE",
                        async () =>
                        {
                            try
                            {
                                await connections[replica].ExecuteAsync("CLUSTER", ["REPLICATE", masterId], cancellationToken).ConfigureAwait(false);
                                return true;
                            }
                            catch (RedisFailureException ex) when (ex.Kind == RedisFailureKind.Refused)
                            {
                                return false;
                            }
                        },
                        HealthyTimeout,
                        cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            foreach (RedisNodeClient connection in connections)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        await WaitUntilHealthyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Shard <paramref name="shard"/>'s share of the slots: contiguous, sizes differing by at most one.</summary>
    public static SlotRange EvenSlotRange(int shard, int shards) =>
        new(shard * ClusterSlot.Count / shards, ((shard + 1) * ClusterSlot.Count / shards) - 1);

    /// <summary>
    /// Waits until every node says <c>cluster_state:ok</c> and sees all shards, each with its full set of online replicas,
    /// and every replica's link is up with no sync loading. Then refreshes <see cref="Deployment"/>.
    /// </summary>
    public async Task WaitUntilHealthyAsync(CancellationToken cancellationToken) =>
        Deployment = await ClusterHealth.WaitUntilHealthyAsync(EndPoints, Password, _shards, _replicasPerShard, HealthyTimeout, cancellationToken).ConfigureAwait(false);

    private static async Task StopAllAsync(IEnumerable<RedisServerProcess> nodes) =>
        await Task.WhenAll(nodes.Select(node => node.DisposeAsync().AsTask())).ConfigureAwait(false);

    /// <summary>Stops every node (SHUTDOWN NOSAVE); the directories stay, so the cluster can be started again.</summary>
    public async ValueTask DisposeAsync() => await StopAllAsync(_nodes).ConfigureAwait(false);
}
