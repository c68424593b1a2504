using System.Globalization;

namespace Dcsd.Redis.Topology;

/// <summary>What kind of deployment runs behind the endpoints.</summary>
public enum DeploymentMode
{
    /// <summary>One master without replicas.</summary>
    Standalone,

    /// <summary>One master and one or more replicas following it (not cluster-enabled).</summary>
    MasterStandby,

    /// <summary>A Redis Cluster: several shards, each owning slot ranges, each with a master and replicas.</summary>
    Cluster,
}

public enum NodeRole
{
    Master,
    Replica,
}

/// <summary>Whether a node can serve data right now, as its master or the cluster sees it.</summary>
public enum NodeHealth
{
    /// <summary>Reachable; for a replica, its link to the master is up and no full sync is loading.</summary>
    Online,

    /// <summary>A replica still receiving or loading a full sync from its master.</summary>
    Loading,

    /// <summary>Marked failing by the cluster, or a replica whose master link is down.</summary>
    Failed,
}

/// <summary>An inclusive range of cluster slots.</summary>
public readonly record struct SlotRange(int Start, int End)
{
    public int Count => End - Start + 1;

    public bool Contains(int slot) => slot >= Start && slot <= End;

    public override string ToString() => Start == End
        ? Start.ToString(CultureInfo.InvariantCulture)
        : Start.ToString(CultureInfo.InvariantCulture) + "-" + End.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One Redis node of a deployment.</summary>
/// <param name="Id">The cluster node id; null outside cluster mode.</param>
/// <param name="ReplicationOffset">
/// master_repl_offset of a master; the offset a replica has processed (cluster) or last acknowledged (master/standby).
/// Null when unknown (CLUSTER NODES carries none).
/// </param>
public sealed record NodeInfo(string? Id, string Host, int Port, NodeRole Role, long? ReplicationOffset, NodeHealth Health)
{
    public string EndPoint => Host + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>host:port and role: what messages show (never anything secret).</summary>
    public override string ToString() => EndPoint + " (" + (Role == NodeRole.Master ? "master" : "replica") + ")";
}

/// <summary>One shard: a master, its replicas and, in a cluster, the slots it owns.</summary>
/// <param name="Index">Position in <see cref="Deployment.Shards"/> (shards are ordered by their first slot).</param>
/// <param name="Slots">The slot ranges the shard owns; empty outside cluster mode.</param>
public sealed record ShardInfo(int Index, IReadOnlyList<SlotRange> Slots, NodeInfo Master, IReadOnlyList<NodeInfo> Replicas)
{
    public IEnumerable<NodeInfo> Nodes => Replicas.Prepend(Master);

    public int SlotCount => Slots.Sum(range => range.Count);

    public bool OwnsSlot(int slot) => Slots.Any(range => range.Contains(slot));

    /// <summary>"shard 1 (slots 5461-10922, master 127.0.0.1:7001)": how errors name a shard.</summary>
    public override string ToString() =>
        "shard " + Index.ToString(CultureInfo.InvariantCulture)
        + (Slots.Count > 0 ? " (slots " + string.Join(',', Slots) + ", master " : " (master ")
        + Master.EndPoint + ")";
}

/// <summary>The node a snapshot of one shard is taken from.</summary>
public sealed record SnapshotSourceChoice(ShardInfo Shard, NodeInfo Node);

/// <summary>What really runs behind a set of endpoints: its mode and its shards (exactly one outside cluster mode).</summary>
public sealed record Deployment(DeploymentMode Mode, IReadOnlyList<ShardInfo> Shards)
{
    /// <summary>Default for <see cref="ChooseSnapshotSources"/>: a replica this close to its master is as good as the master.</summary>
    public const long DefaultMaxReplicaLag = 1L << 20;

    public IEnumerable<NodeInfo> Nodes => Shards.SelectMany(shard => shard.Nodes);

    /// <summary>
    /// Per shard, the node to snapshot: the online replica with the highest replication offset when that offset trails
    /// the master's by at most <paramref name="maxReplicaLag"/> bytes (a replica spares the master the fork), else the master.
    /// A replica whose offset is unknown is never chosen.
    /// </summary>
    public IReadOnlyList<SnapshotSourceChoice> ChooseSnapshotSources(long maxReplicaLag = DefaultMaxReplicaLag)
    {
        var choices = new List<SnapshotSourceChoice>(Shards.Count);
        foreach (ShardInfo shard in Shards)
        {
            NodeInfo? best = shard.Replicas
                .Where(replica => replica.Health == NodeHealth.Online && replica.ReplicationOffset is not null)
                .MaxBy(replica => replica.ReplicationOffset);
            bool closeEnough = best is not null
                && shard.Master.ReplicationOffset is long masterOffset
                && masterOffset - best.ReplicationOffset!.Value <= maxReplicaLag;
            choices.Add(new SnapshotSourceChoice(shard, closeEnough ? best! : shard.Master));
        }

        return choices;
    }

    /// <summary>For each of the 16384 slots, the index of the shard owning it; -1 for a slot no shard owns.</summary>
    public short[] SlotOwners()
    {
        var owners = new short[Cluster.ClusterSlot.Count];
        Array.Fill(owners, (short)-1);
        foreach (ShardInfo shard in Shards)
        {
            foreach (SlotRange range in shard.Slots)
            {
                owners.AsSpan(range.Start, range.Count).Fill((short)shard.Index);
            }
        }

        return owners;
    }
}
