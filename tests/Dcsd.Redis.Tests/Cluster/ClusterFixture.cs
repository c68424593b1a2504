using Dcsd.Rdb;
using Dcsd.Redis.Cluster;
using Dcsd.Redis.Topology;
using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Redis.Tests.Cluster;

/// <summary>
/// A 3-shard source cluster (one replica each) filled through a cluster-aware client, its logical dump, and empty target
/// clusters of 2, 3 and 4 shards to restore into (each restore flushes its target first, so tests can share them).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string Password = "cluster-secret";
    public const string Library = "#!lua name=clusterlib\nredis.register_function{function_name='cluster_echo', callback=function(keys, args) return args[1] end, flags={'no-writes'}}";

    public TestCluster Source { get; private set; } = null!;

    public TestCluster TwoShards { get; private set; } = null!;

    public TestCluster ThreeShards { get; private set; } = null!;

    public TestCluster FourShards { get; private set; } = null!;

    public SortedDictionary<string, string> Expected { get; private set; } = [];

    public async Task InitializeAsync()
    {
        // Started together: cluster start-up is mostly waiting for gossip, not CPU.
        var source = TestCluster.StartAsync(3, 1, Password);
        var two = TestCluster.StartAsync(2, 1, Password);
        var three = TestCluster.StartAsync(3, 0, Password);
        var four = TestCluster.StartAsync(4, 0, Password);
        await Task.WhenAll(source, two, three, four);
        (Source, TwoShards, ThreeShards, FourShards) = (source.Result, two.Result, three.Result, four.Result);

        await SampleData.WriteEveryTypeAsync(Source.Connection, databases: 1);
        await SampleData.WriteManyStringsAsync(Source.Connection, 3000);
        foreach (ShardInfo shard in Source.Cluster.Deployment.Shards)
        {
            // The PING also waits out the fire-and-forget writes queued on that master's connection.
            var master = Source.Connection.GetServer(shard.Master.Host, shard.Master.Port);
            await master.PingAsync();
            await master.ExecuteAsync("FUNCTION", "LOAD", Library);
        }

        Expected = await ClusterLogicalDump.TakeAsync(Source.Connection, Source.Cluster.Deployment);
    }

    public async Task DisposeAsync()
    {
        foreach (TestCluster? cluster in new[] { Source, TwoShards, ThreeShards, FourShards })
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
        }
    }

    /// <summary>The keys of an RDB file (values skipped).</summary>
    public static List<(int Db, byte[] Key)> KeysOf(string path)
    {
        using var file = File.OpenRead(path);
        using var reader = new RdbReader(file);
        var keys = new List<(int, byte[])>();
        while (reader.Read() is { } entry)
        {
            keys.Add((entry.Db, entry.Key));
            entry.Skip();
        }

        return keys;
    }

    /// <summary>The function libraries loaded on every master of a cluster, by master.</summary>
    public static async Task<List<string>> LibrariesAsync(TestCluster cluster)
    {
        var names = new List<string>();
        foreach (ShardInfo shard in cluster.Cluster.Deployment.Shards)
        {
            RedisResult list = await cluster.Connection.GetServer(shard.Master.Host, shard.Master.Port).ExecuteAsync("FUNCTION", "LIST");
            names.Add(string.Join(',', ((RedisResult[])list!).Select(library => ((RedisResult[])library!)[1].ToString())));
        }

        return names;
    }
}
