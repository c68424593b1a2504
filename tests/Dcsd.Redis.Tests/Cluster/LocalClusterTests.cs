using Dcsd.Redis.Cluster;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Restore;
using Dcsd.Redis.Topology;
using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Redis.Tests.Cluster;

public sealed class LocalClusterTests
{
    [Fact]
    public async Task AStoppedClusterStartsAgainFromItsDirectoriesWithItsIdentityAndData()
    {
        using var directory = new TempDirectory("dcsd-cluster-restart");
        string[] config = ["appendonly yes"];
        List<int> ports;
        Deployment before;
        await using (var cluster = await LocalCluster.CreateAsync(2, 1, directory.Path, "pw", config, CancellationToken.None))
        {
            ports = cluster.Nodes.Select(node => node.Port).ToList();
            before = cluster.Deployment;
            Assert.All(Enumerable.Range(0, 4), index => Assert.True(File.Exists(Path.Combine(LocalCluster.NodeDirectory(directory.Path, index), "nodes.conf"))));
            await using var client = await ConnectAsync(cluster);
            for (int i = 0; i < 100; i++)
            {
                await client.GetDatabase().StringSetAsync("k" + i, i);
            }
        }

        await using (var cluster = await LocalCluster.StartExistingAsync(directory.Path, ports, 2, 1, "pw", config, CancellationToken.None))
        {
            Deployment after = await cluster.DiscoverAsync(CancellationToken.None);
            Assert.Equal(before.Shards.Select(shard => shard.Master.Id), after.Shards.Select(shard => shard.Master.Id));
            Assert.Equal(before.Shards.Select(shard => shard.Slots), after.Shards.Select(shard => shard.Slots));
            await using var client = await ConnectAsync(cluster);
            for (int i = 0; i < 100; i++)
            {
                Assert.Equal(i, (int)await client.GetDatabase().StringGetAsync("k" + i));
            }

            // Restoring needs a cluster target with the right password.
            var wrongPassword = await Assert.ThrowsAsync<RedisFailureException>(() => ClusterCommandRestore.RunAsync(Stream.Null, after, "nope", null, null, CancellationToken.None));
            Assert.Equal(RedisFailureKind.AuthenticationFailed, wrongPassword.Kind);
            Assert.DoesNotContain("nope", wrongPassword.Message, StringComparison.Ordinal);
            var standalone = after with { Mode = DeploymentMode.MasterStandby };
            Assert.Equal(RedisFailureKind.Incompatible, (await Assert.ThrowsAsync<RedisFailureException>(() => ClusterCommandRestore.RunAsync(Stream.Null, standalone, "pw", null, null, CancellationToken.None))).Kind);
            var partial = after with { Shards = after.Shards.Take(1).ToList() };
            var uncovered = await Assert.ThrowsAsync<RedisFailureException>(() => ClusterCommandRestore.RunAsync(Stream.Null, partial, "pw", null, null, CancellationToken.None));
            Assert.Contains("owns slot 8192", uncovered.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_new_node_that_already_knows_another_cluster_is_not_joined_and_the_cluster_is_made_again()
    {
        // As if another cluster had met the new node's port first: its nodes.conf knows a stranger. Joining it would
        // merge the clusters; creation starts over on fresh ports and directories instead.
        using var strangers = new TempDirectory("dcsd-cluster-stranger");
        using var directory = new TempDirectory("dcsd-cluster-fresh");
        await using (var stranger = await LocalCluster.CreateAsync(2, 0, strangers.Path, "pw", [], CancellationToken.None))
        {
        }

        Directory.CreateDirectory(LocalCluster.NodeDirectory(directory.Path, 0));
        File.Copy(Path.Combine(LocalCluster.NodeDirectory(strangers.Path, 0), "nodes.conf"), Path.Combine(LocalCluster.NodeDirectory(directory.Path, 0), "nodes.conf"));

        await using var cluster = await LocalCluster.CreateAsync(1, 1, directory.Path, "pw", [], CancellationToken.None);

        Deployment deployment = await cluster.DiscoverAsync(CancellationToken.None);
        Assert.Single(deployment.Shards);
        Assert.Single(deployment.Shards[0].Replicas);
        await using var client = await ConnectAsync(cluster);
        string info = (string)(await client.GetServer(cluster.Nodes[0].EndPoint).ExecuteAsync("CLUSTER", "INFO"))!;
        Assert.Contains("cluster_known_nodes:2", info, StringComparison.Ordinal);
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(LocalCluster cluster)
    {
        var options = new ConfigurationOptions { Password = cluster.Password };
        foreach ((string host, int port) in cluster.EndPoints)
        {
            options.EndPoints.Add(host, port);
        }

        return ConnectionMultiplexer.ConnectAsync(options);
    }
}
