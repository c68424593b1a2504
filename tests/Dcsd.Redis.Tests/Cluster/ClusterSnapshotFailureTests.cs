using System.Diagnostics;
using System.Globalization;
using Dcsd.Redis.Cluster;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Replication;
using Dcsd.Redis.Topology;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Cluster;

public sealed class ClusterSnapshotFailureTests
{
    [Fact]
    public async Task ANodeKilledMidSnapshotFailsTheWholeSnapshotNamingItsShardAndRejoinsAfterARestart()
    {
        await using var cluster = await TestCluster.StartAsync(shards: 2, replicasPerShard: 1, password: "pw");
        await SampleData.WriteManyStringsAsync(cluster.Connection, 2000);
        Deployment deployment = await cluster.Cluster.DiscoverAsync(CancellationToken.None);
        foreach (ShardInfo shard in deployment.Shards)
        {
            await cluster.Connection.GetServer(shard.Master.Host, shard.Master.Port).PingAsync(); // the fire-and-forget writes have landed
        }

        IReadOnlyList<SnapshotSourceChoice> sources = deployment.ChooseSnapshotSources();

        // Each source's fork child now takes about 5 s (≈1000 keys × 5 ms), so both transfers are surely in progress when one dies.
        foreach (SnapshotSourceChoice choice in sources)
        {
            await cluster.Connection.GetServer(choice.Node.Host, choice.Node.Port).ExecuteAsync("CONFIG", "SET", "rdb-key-save-delay", "5000");
        }

        NodeInfo victim = sources[1].Node;
        int victimIndex = cluster.Cluster.Nodes.Select(node => node.Port).ToList().IndexOf(victim.Port);
        using var files = new TempDirectory("dcsd-cluster-kill");
        var opened = new List<Stream>();
        Task killer = Task.CompletedTask;
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<ClusterSnapshotException>(() => ClusterSnapshot.TakeAsync(
            deployment,
            "pw",
            shard =>
            {
                Stream destination = File.Create(files.Combine($"shard-{shard.Index}.rdb"));
                if (shard.Index == 1)
                {
                    // Well inside the ~5 s transfer (the receiver hands over whole chunks, so "first bytes written" can come late).
                    killer = Task.Delay(1500).ContinueWith(_ => KillWithForkChildren(cluster.Cluster.Nodes[victimIndex].ProcessId), TaskScheduler.Default);
                }

                lock (opened)
                {
                    opened.Add(destination);
                }

                return destination;
            },
            maxParallel: 2,
            CancellationToken.None));
        clock.Stop();
        await killer;

        Assert.Equal(1, failure.Shard.Index);
        Assert.Equal(victim.Port, failure.SourceNode.Port);
        Assert.Contains("shard 1", failure.Message, StringComparison.Ordinal);
        Assert.Contains(victim.EndPoint, failure.Message, StringComparison.Ordinal);
        Assert.Equal(RedisFailureKind.ConnectionLost, failure.Kind);
        Assert.DoesNotContain("pw", failure.ToString().Replace("password", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        // Shard 0 was cancelled rather than left to finish its ~5 s transfer, and every destination was closed.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.5), $"took {clock.Elapsed}");
        Assert.Equal(2, opened.Count);
        Assert.All(opened, stream => Assert.False(stream.CanWrite));

        // Restarted from its directory on its port, the node rejoins with its identity (nodes.conf) and the cluster heals.
        await cluster.Cluster.RestartNodeAsync(victimIndex, CancellationToken.None);
        Deployment healed = await cluster.Cluster.DiscoverAsync(CancellationToken.None);
        NodeInfo rejoined = healed.Nodes.Single(node => node.Port == victim.Port);
        Assert.Equal(victim.Id, rejoined.Id);
        Assert.Equal(NodeHealth.Online, rejoined.Health);
    }

    /// <summary>SIGKILL a redis-server and the fork child that streams its RDB (the child would otherwise finish the transfer).</summary>
    private static void KillWithForkChildren(int pid)
    {
        foreach (string stat in Directory.EnumerateDirectories("/proc").Select(dir => Path.Combine(dir, "stat")))
        {
            try
            {
                string text = File.ReadAllText(stat);
                string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == pid)
                {
                    using var child = Process.GetProcessById(int.Parse(Path.GetFileName(Path.GetDirectoryName(stat)!), CultureInfo.InvariantCulture));
                    child.Kill();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or FormatException or InvalidOperationException)
            {
                // Not a process directory, or the process is gone.
            }
        }

        using var parent = Process.GetProcessById(pid);
        parent.Kill();
    }
}
