using System.Globalization;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Topology;

/// <summary>
/// Turns CLUSTER SHARDS (7.0+) or CLUSTER NODES output into a cluster <see cref="Deployment"/>. Shards owning no slot are
/// left out (they hold no data: a fresh node, or a failed master whose replica took over); the rest are ordered by first slot.
/// </summary>
internal static class ClusterTopologyParser
{
    /// <summary>CLUSTER SHARDS: an array of maps { slots: [start, end, …], nodes: [ {id, port, ip, role, replication-offset, health, …} ] }.</summary>
    public static Deployment ParseShards(RespValue reply)
    {
        var shards = new List<(List<SlotRange> Slots, NodeInfo? Master, List<NodeInfo> Replicas)>();
        foreach (RespValue shardReply in Items(reply, "CLUSTER SHARDS"))
        {
            Dictionary<string, RespValue> shard = Map(shardReply, "a shard of CLUSTER SHARDS");
            var slots = new List<SlotRange>();
            if (shard.TryGetValue("slots", out RespValue? slotsReply))
            {
                IReadOnlyList<RespValue> bounds = Items(slotsReply, "slots");
                for (int i = 0; i + 1 < bounds.Count; i += 2)
                {
                    slots.Add(new SlotRange((int)bounds[i].AsLong(), (int)bounds[i + 1].AsLong()));
                }
            }

            NodeInfo? master = null;
            var replicas = new List<NodeInfo>();
            if (shard.TryGetValue("nodes", out RespValue? nodesReply))
            {
                foreach (RespValue nodeReply in Items(nodesReply, "nodes"))
                {
                    NodeInfo node = ParseShardNode(Map(nodeReply, "a node of CLUSTER SHARDS"));
                    if (node.Role == NodeRole.Master && (master is null || master.Health != NodeHealth.Online))
                    {
                        master = node;
                    }
                    else
                    {
                        replicas.Add(node.Role == NodeRole.Master ? node with { Role = NodeRole.Replica } : node);
                    }
                }
            }

            shards.Add((slots, master, replicas));
        }

        return Build(shards);
    }

    private static NodeInfo ParseShardNode(Dictionary<string, RespValue> node)
    {
        string? Text(string field) => node.TryGetValue(field, out RespValue? value) && !value.IsNull ? value.ToString() : null;
        long? Number(string field) => long.TryParse(Text(field), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : null;

        string id = Text("id") ?? throw new RedisFailureException(RedisFailureKind.Inconsistent, "CLUSTER SHARDS lists a node without id");
        string host = Text("ip") is { Length: > 0 } ip ? ip : Text("endpoint") ?? throw new RedisFailureException(RedisFailureKind.Inconsistent, $"CLUSTER SHARDS lists node {id} without ip");

        // A TLS-only node has no "port", only "tls-port".
        int port = (int)(Number("port") ?? Number("tls-port") ?? throw new RedisFailureException(RedisFailureKind.Inconsistent, $"CLUSTER SHARDS lists node {id} without port"));
        NodeRole role = Text("role") == "master" ? NodeRole.Master : NodeRole.Replica;
        NodeHealth health = Text("health") switch
        {
            "online" => NodeHealth.Online,
            "loading" => NodeHealth.Loading,
            _ => NodeHealth.Failed,
        };
        return new NodeInfo(id, host, port, role, Number("replication-offset"), health);
    }

    /// <summary>
    /// CLUSTER NODES, one line per node: <c>id ip:port@cport[,hostname] flags master-id ping pong epoch link-state slot…</c>.
    /// It carries no replication offsets, so every offset is null (and <see cref="Deployment.ChooseSnapshotSources"/> picks masters).
    /// </summary>
    public static Deployment ParseNodes(string text)
    {
        var lines = new List<(NodeInfo Node, string MasterId, List<SlotRange> Slots)>();
        foreach (string rawLine in text.Split('\n'))
        {
            string[] fields = rawLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 8)
            {
                continue;
            }

            string address = fields[1].Split(',')[0].Split('@')[0];
            int colon = address.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            {
                throw new RedisFailureException(RedisFailureKind.Inconsistent, $"CLUSTER NODES has an unreadable address '{fields[1]}'");
            }

            string[] flags = fields[2].Split(',');
            NodeRole role = flags.Contains("master") ? NodeRole.Master : NodeRole.Replica;
            NodeHealth health = flags.Contains("fail") || flags.Contains("fail?") || flags.Contains("noaddr") || flags.Contains("handshake") || fields[7] != "connected"
                ? NodeHealth.Failed
                : NodeHealth.Online;
            var slots = new List<SlotRange>();
            foreach (string slot in fields.Skip(8))
            {
                if (slot.StartsWith('['))
                {
                    continue; // a migrating/importing marker, not an owned slot
                }

                int dash = slot.IndexOf('-', StringComparison.Ordinal);
                slots.Add(dash < 0
                    ? new SlotRange(int.Parse(slot, CultureInfo.InvariantCulture), int.Parse(slot, CultureInfo.InvariantCulture))
                    : new SlotRange(int.Parse(slot.AsSpan(0, dash), CultureInfo.InvariantCulture), int.Parse(slot.AsSpan(dash + 1), CultureInfo.InvariantCulture)));
            }

            lines.Add((new NodeInfo(fields[0], address[..colon], port, role, null, health), fields[3], slots));
        }

        var shards = lines
            .Where(line => line.Node.Role == NodeRole.Master)
            .Select(line => (line.Slots, (NodeInfo?)line.Node, lines.Where(other => other.MasterId == line.Node.Id).Select(other => other.Node).ToList()))
            .ToList();
        return Build(shards);
    }

    private static Deployment Build(List<(List<SlotRange> Slots, NodeInfo? Master, List<NodeInfo> Replicas)> shards)
    {
        var result = new List<ShardInfo>();
        foreach (var (slots, master, replicas) in shards.Where(shard => shard.Slots.Count > 0).OrderBy(shard => shard.Slots.Min(range => range.Start)))
        {
            if (master is null)
            {
                throw new RedisFailureException(RedisFailureKind.Inconsistent, $"the shard owning slots {string.Join(',', slots)} has no master");
            }

            result.Add(new ShardInfo(result.Count, slots.OrderBy(range => range.Start).ToList(), master, replicas));
        }

        return new Deployment(DeploymentMode.Cluster, result);
    }

    private static IReadOnlyList<RespValue> Items(RespValue reply, string what) =>
        reply.IsNull ? [] : reply.Kind == RespReplyKind.Array ? reply.Items : throw new RedisFailureException(RedisFailureKind.Inconsistent, $"{what} is not an array");

    /// <summary>A RESP3 map, or its RESP2 form: a flat array of name, value, name, value….</summary>
    private static Dictionary<string, RespValue> Map(RespValue reply, string what)
    {
        IReadOnlyList<RespValue> items = Items(reply, what);
        var map = new Dictionary<string, RespValue>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < items.Count; i += 2)
        {
            map[items[i].ToString()] = items[i + 1];
        }

        return map;
    }
}
