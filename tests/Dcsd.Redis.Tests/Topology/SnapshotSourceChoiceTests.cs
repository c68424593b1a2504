using Dcsd.Redis.Topology;

namespace Dcsd.Redis.Tests.Topology;

public sealed class SnapshotSourceChoiceTests
{
    private static NodeInfo Master(long? offset) => new("m", "127.0.0.1", 7000, NodeRole.Master, offset, NodeHealth.Online);

    private static NodeInfo Replica(int port, long? offset, NodeHealth health = NodeHealth.Online) => new("r" + port, "127.0.0.1", port, NodeRole.Replica, offset, health);

    private static NodeInfo Choose(NodeInfo master, params NodeInfo[] replicas) =>
        new Deployment(DeploymentMode.Cluster, [new ShardInfo(0, [new SlotRange(0, 16383)], master, replicas)]).ChooseSnapshotSources(maxReplicaLag: 100).Single().Node;

    [Fact]
    public void PrefersTheMostCurrentOnlineReplicaWithinTheLag()
    {
        Assert.Equal(7002, Choose(Master(1000), Replica(7001, 950), Replica(7002, 990)).Port);
        Assert.Equal(7001, Choose(Master(1000), Replica(7001, 1000), Replica(7002, 2000, NodeHealth.Failed)).Port);
    }

    [Fact]
    public void FallsBackToTheMasterWhenNoReplicaIsUsable()
    {
        Assert.Equal(7000, Choose(Master(1000)).Port);
        Assert.Equal(7000, Choose(Master(1000), Replica(7001, 899)).Port); // too far behind
        Assert.Equal(7000, Choose(Master(1000), Replica(7001, 1000, NodeHealth.Loading)).Port);
        Assert.Equal(7000, Choose(Master(1000), Replica(7001, 1000, NodeHealth.Failed)).Port);
        Assert.Equal(7000, Choose(Master(1000), Replica(7001, null)).Port); // unknown offset
        Assert.Equal(7000, Choose(Master(null), Replica(7001, 1000)).Port);
    }
}
