using System.Globalization;
using Dcsd.Redis.Topology;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Instances;

/// <summary>
/// What really runs behind an instance right now. Every job asks before it starts, since failovers and resharding move
/// masters and slots; for an adopted deployment the answer also refreshes the nodes dcsd shows.
/// </summary>
internal sealed class InstanceTopology(InstanceRepository instances)
{
    public async Task<Deployment> DiscoverAsync(InstanceRecord instance, CancellationToken cancellationToken)
    {
        var deployment = await RedisTopology.DiscoverAsync(Seeds(instance), instance.Password, cancellationToken).ConfigureAwait(false);
        if ((deployment.Mode == DeploymentMode.Cluster) != (instance.CacheMode == CacheModes.Cluster))
        {
            throw new TopologyException(
                TopologyFailure.Inconsistent,
                $"the nodes now run in {ModeName(deployment.Mode)} mode, the instance was created as {instance.CacheMode}");
        }

        if (instance.IsAdopted)
        {
            var nodes = NodesOf(deployment);
            if (!nodes.SequenceEqual(instance.Nodes))
            {
                await instances.UpdateNodesAsync(instance.Id, nodes, cancellationToken).ConfigureAwait(false);
            }
        }

        return deployment;
    }

    /// <summary>The nodes last seen first (they are the likeliest to answer), then the addresses the deployment was adopted by.</summary>
    public static IReadOnlyList<(string Host, int Port)> Seeds(InstanceRecord instance) =>
        instance.Nodes.Where(node => node.Port > 0).Select(node => (node.Host, node.Port))
            .Concat((instance.AdoptedSeeds ?? []).Select(ParseEndPoint))
            .Distinct()
            .ToList();

    /// <summary>The nodes of a discovered deployment as dcsd records them (masters first within each shard).</summary>
    public static List<NodeRecord> NodesOf(Deployment deployment) =>
        deployment.Shards
            .SelectMany(shard => shard.Nodes.Select(node => AsRecord(node, shard.Index)))
            .ToList();

    /// <summary>A discovered node as dcsd records it: no directory, since dcsd does not run it from one.</summary>
    public static NodeRecord AsRecord(NodeInfo node, int shard = 0) =>
        new(node.Role == NodeRole.Master ? NodeRoles.Master : NodeRoles.Replica, node.Port, string.Empty, shard, node.Host);

    /// <summary>host:port (IPv6 hosts in brackets); throws <see cref="FormatException"/> naming the value.</summary>
    public static (string Host, int Port) ParseEndPoint(string value)
    {
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{value}' is not host:port");
        }

        string host = value[..colon].Trim('[', ']');
        return host.Length == 0 || host.Any(char.IsWhiteSpace) ? throw new FormatException($"'{value}' is not host:port") : (host, port);
    }

    public static string CacheModeOf(DeploymentMode mode) => mode switch
    {
        DeploymentMode.Cluster => CacheModes.Cluster,
        DeploymentMode.MasterStandby => CacheModes.Ha,
        _ => CacheModes.Single,
    };

    private static string ModeName(DeploymentMode mode) => mode switch
    {
        DeploymentMode.Cluster => "cluster",
        DeploymentMode.MasterStandby => "master/standby",
        _ => "single-node",
    };
}
