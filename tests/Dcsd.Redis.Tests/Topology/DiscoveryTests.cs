using Dcsd.Redis.Cluster;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Topology;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Topology;

public sealed class DiscoveryTests
{
    [Fact]
    public async Task FindsEveryShardOfAClusterWithItsSlotsFromAnyNode()
    {
        await using var cluster = await TestCluster.StartAsync(shards: 3, replicasPerShard: 1, password: "cluster-pw");
        foreach ((string host, int port) in cluster.Cluster.EndPoints)
        {
            Deployment deployment = await RedisTopology.DiscoverAsync([(host, port)], "cluster-pw", CancellationToken.None);
            Assert.Equal(DeploymentMode.Cluster, deployment.Mode);
            Assert.Equal(3, deployment.Shards.Count);
            for (int shard = 0; shard < 3; shard++)
            {
                ShardInfo info = deployment.Shards[shard];
                Assert.Equal([LocalCluster.EvenSlotRange(shard, 3)], info.Slots);
                Assert.Equal(cluster.Cluster.Nodes[shard * 2].Port, info.Master.Port);
                NodeInfo replica = Assert.Single(info.Replicas);
                Assert.Equal(cluster.Cluster.Nodes[(shard * 2) + 1].Port, replica.Port);
                Assert.Equal(NodeRole.Replica, replica.Role);
                Assert.All(info.Nodes, node => Assert.Equal(NodeHealth.Online, node.Health));
                Assert.All(info.Nodes, node => Assert.Equal(40, node.Id!.Length));
                Assert.All(info.Nodes, node => Assert.Equal("127.0.0.1", node.Host));
                Assert.NotNull(info.Master.ReplicationOffset);
            }

            Assert.Equal(ClusterSlot.Count, ClusterSlotCount(deployment));
        }

        // Replicas are in sync on an idle cluster, so each shard is snapshotted from its replica.
        Deployment fresh = await cluster.Cluster.DiscoverAsync(CancellationToken.None);
        Assert.All(fresh.ChooseSnapshotSources(), choice => Assert.Equal(NodeRole.Replica, choice.Node.Role));

        // A seed that is down is skipped; a wrong password is a typed authentication failure.
        Deployment viaSecondSeed = await RedisTopology.DiscoverAsync([("127.0.0.1", 1), cluster.Cluster.EndPoints[3]], "cluster-pw", CancellationToken.None);
        Assert.Equal(3, viaSecondSeed.Shards.Count);
        var wrong = await Assert.ThrowsAsync<RedisFailureException>(() => RedisTopology.DiscoverAsync([cluster.Cluster.EndPoints[0]], "wrong-pw", CancellationToken.None));
        Assert.Equal(RedisFailureKind.AuthenticationFailed, wrong.Kind);
        Assert.DoesNotContain("wrong-pw", wrong.ToString(), StringComparison.Ordinal);
        var none = await Assert.ThrowsAsync<RedisFailureException>(() => RedisTopology.DiscoverAsync([cluster.Cluster.EndPoints[0]], null, CancellationToken.None));
        Assert.Equal(RedisFailureKind.AuthenticationFailed, none.Kind);
    }

    private static int ClusterSlotCount(Deployment deployment) => deployment.Shards.Sum(shard => shard.SlotCount);

    [Fact]
    public async Task ClusterNodesFallbackAgreesWithClusterShards()
    {
        await using var cluster = await TestCluster.StartAsync(shards: 2, replicasPerShard: 1);
        var server = cluster.Connection.GetServer(cluster.Cluster.EndPoints[0].Host, cluster.Cluster.EndPoints[0].Port);
        string nodes = (await server.ExecuteAsync("CLUSTER", "NODES")).ToString();
        Deployment fromNodes = ClusterTopologyParser.ParseNodes(nodes);
        await using var client = await RedisNodeClient.ConnectAsync(cluster.Cluster.EndPoints[0].Host, cluster.Cluster.EndPoints[0].Port, cluster.Password, CancellationToken.None);
        Deployment fromShards = ClusterTopologyParser.ParseShards(await client.ExecuteAsync("CLUSTER", ["SHARDS"], CancellationToken.None));
        Assert.Equal(fromShards.Shards.Count, fromNodes.Shards.Count);
        for (int i = 0; i < fromShards.Shards.Count; i++)
        {
            Assert.Equal(fromShards.Shards[i].Slots, fromNodes.Shards[i].Slots);
            Assert.Equal(fromShards.Shards[i].Master.Id, fromNodes.Shards[i].Master.Id);
            Assert.Equal(fromShards.Shards[i].Master.Port, fromNodes.Shards[i].Master.Port);
            Assert.Equal(fromShards.Shards[i].Replicas.Select(r => r.Id), fromNodes.Shards[i].Replicas.Select(r => r.Id));
            Assert.Null(fromNodes.Shards[i].Master.ReplicationOffset);
        }

        // Without offsets nothing proves a replica current: the masters are chosen.
        Assert.All(fromNodes.ChooseSnapshotSources(), choice => Assert.Equal(NodeRole.Master, choice.Node.Role));
    }

    [Fact]
    public void ParsesClusterNodesWithSeveralRangesAndMigrationMarkers()
    {
        const string text =
            "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected\n"
            + "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922\n"
            + "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master,fail - 0 1426238318243 3 disconnected 10923-16383\n"
            + "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-100 102 103-5460 [101->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]\n";
        Deployment deployment = ClusterTopologyParser.ParseNodes(text);
        Assert.Equal(3, deployment.Shards.Count);
        Assert.Equal([new SlotRange(0, 100), new SlotRange(102, 102), new SlotRange(103, 5460)], deployment.Shards[0].Slots);
        Assert.Equal(30004, Assert.Single(deployment.Shards[0].Replicas).Port);
        Assert.Equal(NodeHealth.Failed, deployment.Shards[2].Master.Health);
        Assert.False(deployment.Shards[0].OwnsSlot(101));
        Assert.Equal(-1, deployment.SlotOwners()[101]);
        Assert.Equal(2, deployment.SlotOwners()[16383]);
    }

    [Fact]
    public async Task FollowsAReplicaToItsMasterAndRecognisesAStandaloneNode()
    {
        await using var master = await TestRedis.StartAsync("ms-pw", ["repl-diskless-sync-delay 0"]);
        await using var replica = await TestRedis.StartReplicaAsync(master);

        // The replica's link is up; the master may take a moment longer to count it online (its view is what discovery reads).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await master.Admin.InfoRawAsync("replication") ?? string.Empty).Contains("state=online", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the master never saw its replica online");
            await Task.Delay(50);
        }

        Deployment deployment = await RedisTopology.DiscoverAsync([("127.0.0.1", replica.Port)], "ms-pw", CancellationToken.None);
        Assert.Equal(DeploymentMode.MasterStandby, deployment.Mode);
        ShardInfo shard = Assert.Single(deployment.Shards);
        Assert.Equal(master.Port, shard.Master.Port);
        Assert.Equal(NodeRole.Master, shard.Master.Role);
        Assert.Empty(shard.Slots);
        NodeInfo standby = Assert.Single(shard.Replicas);
        Assert.Equal(replica.Port, standby.Port);
        Assert.Equal(NodeHealth.Online, standby.Health);
        Assert.Equal(replica.Port, Assert.Single(deployment.ChooseSnapshotSources()).Node.Port); // in sync: the standby spares the master a fork

        await using var alone = await TestRedis.StartAsync();
        Deployment single = await RedisTopology.DiscoverAsync([("127.0.0.1", alone.Port)], null, CancellationToken.None);
        Assert.Equal(DeploymentMode.Standalone, single.Mode);
        Assert.Equal(alone.Port, Assert.Single(single.Shards).Master.Port);
        Assert.Empty(single.Shards[0].Replicas);
        Assert.Equal(alone.Port, Assert.Single(single.ChooseSnapshotSources()).Node.Port);

        var unreachable = await Assert.ThrowsAsync<RedisFailureException>(() => RedisTopology.DiscoverAsync([("127.0.0.1", 1)], null, CancellationToken.None));
        Assert.Equal(RedisFailureKind.Unreachable, unreachable.Kind);
    }
}
