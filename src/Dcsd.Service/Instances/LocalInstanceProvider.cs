using System.Collections.Concurrent;
using Dcsd.Redis.Cluster;
using Dcsd.Redis.Processes;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Instances;

/// <summary>
/// Runs the redis-server processes of local instances: one per node, each in its own directory under the data directory,
/// bound to 127.0.0.1. Nodes that outlived a dcsd crash are re-attached by port and directory instead of started twice.
/// </summary>
internal sealed class LocalInstanceProvider(IOptions<DcsdOptions> options, ILogger<LocalInstanceProvider> logger) : IAsyncDisposable
{
    // Keyed by node directory: the one identity a node keeps across restarts.
    private readonly ConcurrentDictionary<string, RedisServerProcess> _children = new(StringComparer.Ordinal);

    // Supervision and deletion take turns: a node the supervisor is restarting must not come up after its instance was deleted.
    private readonly SemaphoreSlim _lifecycle = new(1, 1);

    // Instances being or already deleted: the supervisor may still hold their records from before the delete.
    private readonly ConcurrentDictionary<string, bool> _deleted = new(StringComparer.Ordinal);

    private string ServerPath => options.Value.RedisServerPath;

    /// <summary>
    /// Starts the nodes of a new instance (master first, then its standby; for a cluster, every shard's master and standby,
    /// joined, with the slots spread evenly) and returns them with their ports.
    /// </summary>
    public async Task<IReadOnlyList<NodeRecord>> CreateNodesAsync(InstanceRecord instance, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(Path.Combine(options.Value.InstancesDirectory, instance.Id));
        if (instance.CacheMode == CacheModes.Cluster)
        {
            return await CreateClusterAsync(instance, root, cancellationToken).ConfigureAwait(false);
        }

        var master = await StartAsync(instance, new NodeRecord(NodeRoles.Master, 0, Path.Combine(root, "node-0")), masterPort: 0, cancellationToken).ConfigureAwait(false);
        var nodes = new List<NodeRecord> { master };
        if (instance.CacheMode == CacheModes.Ha)
        {
            nodes.Add(await StartAsync(instance, new NodeRecord(NodeRoles.Replica, 0, Path.Combine(root, "node-1")), master.Port, cancellationToken).ConfigureAwait(false));
        }

        return nodes;
    }

    private async Task<IReadOnlyList<NodeRecord>> CreateClusterAsync(InstanceRecord instance, string root, CancellationToken cancellationToken)
    {
        const int nodesPerShard = 1 + LocalNodeConfig.ClusterReplicasPerShard;

        // The LocalCluster object is only the way in: from here on its processes are supervised node by node, like any other.
        var cluster = await LocalCluster.CreateAsync(
            instance.ShardingCount, LocalNodeConfig.ClusterReplicasPerShard, root, instance.Password, LocalNodeConfig.ClusterLines(instance), cancellationToken).ConfigureAwait(false);
        var nodes = new List<NodeRecord>();
        for (int index = 0; index < cluster.Nodes.Count; index++)
        {
            var process = cluster.Nodes[index];
            var node = new NodeRecord(index % nodesPerShard == 0 ? NodeRoles.Master : NodeRoles.Replica, process.Port, LocalCluster.NodeDirectory(root, index), index / nodesPerShard);
            _children[node.Directory] = process;
            Log.NodeStarted(logger, instance.Id, node.Role, process.Port, process.ProcessId);
            nodes.Add(node);
        }

        return nodes;
    }

    /// <summary>
    /// Makes sure the node runs: a live child is left alone, a live orphan of an earlier dcsd is re-attached, anything else is started
    /// again on its port. Returns true when it had to start the process.
    /// </summary>
    public async Task<bool> EnsureRunningAsync(InstanceRecord instance, NodeRecord node, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return !_deleted.ContainsKey(instance.Id) && await EnsureRunningLockedAsync(instance, node, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task<bool> EnsureRunningLockedAsync(InstanceRecord instance, NodeRecord node, CancellationToken cancellationToken)
    {
        if (_children.TryGetValue(node.Directory, out var child))
        {
            if (!child.HasExited)
            {
                return false;
            }

            _children.TryRemove(node.Directory, out _);
            await child.DisposeAsync().ConfigureAwait(false);
        }
        else if (await IsOurNodeAnsweringAsync(instance, node, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        int masterPort = instance.Master?.Port ?? 0;
        await StartAsync(instance, node, masterPort, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Stops the instance's processes; an adopted deployment's are not dcsd's to stop.</summary>
    public async Task StopAsync(InstanceRecord instance, CancellationToken cancellationToken)
    {
        if (instance.IsAdopted)
        {
            return;
        }

        // Standbys first, so none of them logs a lost master or starts a pointless resync.
        foreach (var node in instance.Nodes.OrderBy(n => n.Role == NodeRoles.Master))
        {
            await StopNodeAsync(instance, node, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task DeleteFilesAsync(InstanceRecord instance, CancellationToken cancellationToken)
    {
        if (instance.IsAdopted)
        {
            return;
        }

        _deleted[instance.Id] = true;
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopAsync(instance, cancellationToken).ConfigureAwait(false);
            string root = Path.GetFullPath(Path.Combine(options.Value.InstancesDirectory, instance.Id));
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task StopNodeAsync(InstanceRecord instance, NodeRecord node, CancellationToken cancellationToken)
    {
        if (_children.TryRemove(node.Directory, out var child))
        {
            await child.DisposeAsync().ConfigureAwait(false);
        }
        else if (await IsOurNodeAnsweringAsync(instance, node, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await RedisInlineClient.SendAsync(node.Port, instance.Password, ["SHUTDOWN", "NOSAVE"], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                // A server that is going away may drop the connection before it answers.
            }
        }
    }

    private async Task<NodeRecord> StartAsync(InstanceRecord instance, NodeRecord node, int masterPort, CancellationToken cancellationToken)
    {
        var process = await RedisServerProcess.StartAsync(LocalNodeConfig.For(instance, node, masterPort, ServerPath), cancellationToken).ConfigureAwait(false);
        _children[node.Directory] = process;
        Log.NodeStarted(logger, instance.Id, node.Role, process.Port, process.ProcessId);
        return node with { Port = process.Port };
    }

    /// <summary>A process answering on the node's port counts as ours only if its working directory is the node's.</summary>
    private static async Task<bool> IsOurNodeAnsweringAsync(InstanceRecord instance, NodeRecord node, CancellationToken cancellationToken)
    {
        if (node.Port == 0 || !await RedisInlineClient.PingAsync(node.Port, instance.Password, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        string reply = await RedisInlineClient.SendAsync(node.Port, instance.Password, ["CONFIG", "GET", "dir"], cancellationToken).ConfigureAwait(false);
        return reply.Contains("\r\n" + node.Directory + "\r\n", StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var child in _children.Values)
        {
            await child.DisposeAsync().ConfigureAwait(false);
        }

        _children.Clear();
        _lifecycle.Dispose();
    }
}
