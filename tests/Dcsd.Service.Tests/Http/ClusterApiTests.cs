using System.Text.Json.Nodes;
using Dcsd.Redis.Topology;
using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Service.Tests.Http;

/// <summary>Cluster instances dcsd runs, and master/standby and cluster deployments it adopts, through the DCS API.</summary>
[Collection(ClusterTests.Collection)]
public sealed class ClusterApiTests : IAsyncLifetime
{
    private const string P = DcsTestClient.Project;
    internal const string Password = "cluster-password-1";
    private DcsdTestServer _dcsd = null!;

    public async Task InitializeAsync() => _dcsd = await DcsdTestServer.StartAsync();

    public async Task DisposeAsync() => await _dcsd.DisposeAsync();

    [Fact]
    public async Task A_cluster_instance_is_backed_up_per_shard_and_restored_in_place()
    {
        var instance = await _dcsd.CreateRunningClusterAsync(3, Password);
        string id = (string)instance["instance_id"]!;
        Assert.Equal("cluster", (string)instance["cache_mode"]!);
        Assert.Equal(3, (int)instance["sharding_count"]!);

        var nodes = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}/logical-nodes");
        Assert.Equal(6, (int)nodes["total"]!);
        var masters = nodes["nodes"]!.AsArray().Where(n => (string)n!["node_type"]! == "master").ToList();
        Assert.Equal(3, masters.Count);
        Assert.Equal(16384, masters.Sum(m => m!["slots"]!.AsArray().Sum(r => SlotCount((string)r!))));
        Assert.All(nodes["nodes"]!.AsArray(), n => Assert.Equal("Active", (string)n!["status"]!));

        await using var redis = await ConnectAsync((string)instance["ip"]!, (int)instance["port"]!);
        await WriteClusterDataAsync(redis);
        var deployment = await DiscoverAsync(instance);
        var atBackup = await ClusterLogicalDump.TakeAsync(redis, deployment);

        var backup = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", """{"remark":"three shards"}""");
        var record = await _dcsd.WaitBackupAsync(id, (string)backup["backup_id"]!);
        Assert.Equal("succeed", (string)record["status"]!);
        Assert.Equal("TRUE", (string)record["is_support_restore"]!);
        string folder = Path.GetDirectoryName(Directory.GetFiles(Path.Combine(_dcsd.DataDirectory, "backups"), "manifest.json", SearchOption.AllDirectories)
            .Single(f => f.Contains((string)backup["backup_id"]!, StringComparison.Ordinal)))!;
        var files = Directory.GetFiles(folder, "*.rdb").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(3, files.Count);
        Assert.All(files, f => Assert.Matches(@"^redis_127\.0\.0\.1_[0-9]+_[0-9]+-[0-9]+_[0-9]{14}\.rdb$", f));
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json")))!;
        Assert.Equal("cluster", (string)manifest["mode"]!);
        Assert.Equal(atBackup.Count, manifest["files"]!.AsArray().Sum(f => (long)f!["keys"]!));

        // Changes after the backup, in every shard.
        var db = redis.GetDatabase();
        for (int i = 0; i < 300; i++)
        {
            await db.StringSetAsync("later:" + i, "must go");
        }

        await db.KeyDeleteAsync("string:0");
        var restore = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{backup["backup_id"]}}"}""");
        var restored = await _dcsd.WaitRestoreAsync(id, (string)restore["restore_id"]!);
        Assert.True((string)restored["status"]! == "succeed", restored.ToJsonString());
        Assert.Equal("restore", (string)restored["engine"]!);
        Assert.Equal(atBackup, await ClusterLogicalDump.TakeAsync(redis, await DiscoverAsync(instance)));
    }

    [Fact]
    public async Task A_deleted_cluster_instance_stays_down_while_the_supervisor_runs()
    {
        var instance = await _dcsd.CreateRunningClusterAsync(2, Password);
        string id = (string)instance["instance_id"]!;
        var nodes = (await DiscoverAsync(instance)).Nodes.ToList();
        Assert.Equal(204, (await _dcsd.SendAsync(HttpMethod.Delete, $"/v2/{P}/instances/{id}")).Status);

        // Several supervision passes (one a second) must not bring any node back.
        await Task.Delay(TimeSpan.FromSeconds(3));
        foreach (var node in nodes)
        {
            Assert.False(await Dcsd.Redis.Processes.RedisInlineClient.PingAsync(node.Port, Password), $"{node} runs after its instance was deleted");
        }

        Assert.False(Directory.Exists(Path.Combine(_dcsd.DataDirectory, "instances", id)));
    }

    [Fact]
    public async Task With_the_write_pause_option_a_cluster_backup_is_a_consistent_cut()
    {
        await using var dcsd = await DcsdTestServer.StartAsync(configure: options => options.ClusterWritePause = TimeSpan.FromSeconds(5));
        var instance = await dcsd.CreateRunningClusterAsync(2, Password);
        string id = (string)instance["instance_id"]!;
        await using var redis = await ConnectAsync((string)instance["ip"]!, (int)instance["port"]!);
        await WriteClusterDataAsync(redis);

        var backup = await dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        string backupId = (string)backup["backup_id"]!;
        Assert.Equal("succeed", (string)(await dcsd.WaitBackupAsync(id, backupId))["status"]!);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dcsd.DataDirectory, "backups", P, id, backupId, "manifest.json")))!;
        Assert.True((bool)manifest["consistent_cut"]!);
        long paused = (long)manifest["writes_paused_ms"]!;
        Assert.InRange(paused, 0, 5000);

        // Writes were paused, not refused: the cluster takes them again.
        await redis.GetDatabase().StringSetAsync("after-the-cut", "written");
    }

    [Fact]
    public async Task An_adopted_master_standby_pair_is_backed_up_and_restored_and_never_stopped()
    {
        await using var master = await TestRedis.StartAsync(Password);
        await using var standby = await TestRedis.StartReplicaAsync(master);
        await SampleData.WriteEveryTypeAsync(master.Connection);
        await WaitInSyncAsync(master);

        // The standby alone is enough: dcsd follows it to its master.
        var created = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances", $$$"""
            {"name":"adopted-ha","engine":"Redis","spec_code":"redis.ha.xu1.large.r2.1","adopt":{"nodes":["127.0.0.1:{{{standby.Port}}}"],"password":"{{{Password}}}"}}
            """);
        string id = (string)created["instances"]![0]!["instance_id"]!;
        var instance = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}");
        Assert.Equal(("RUNNING", "ha", true), ((string)instance["status"]!, (string)instance["cache_mode"]!, (bool)instance["adopted"]!));
        Assert.Equal(master.Port, (int)instance["port"]!);
        Assert.DoesNotContain(Password, instance.ToJsonString(), StringComparison.Ordinal);

        var atBackup = await LogicalDump.TakeAsync(master.Connection, master.EndPoint);
        var backup = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        Assert.Equal("succeed", (string)(await _dcsd.WaitBackupAsync(id, (string)backup["backup_id"]!))["status"]!);

        await master.Db().StringSetAsync("db0:string:small", "changed");
        await master.Db(5).StringSetAsync("extra", "gone after the restore");
        var restore = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{backup["backup_id"]}}"}""");
        Assert.Equal("succeed", (string)(await _dcsd.WaitRestoreAsync(id, (string)restore["restore_id"]!))["status"]!);
        Assert.Equal(atBackup, await LogicalDump.TakeAsync(master.Connection, master.EndPoint));

        await _dcsd.SendAsync(HttpMethod.Delete, $"/v2/{P}/instances/{id}");
        Assert.Equal(404, (await _dcsd.SendAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}")).Status);
        Assert.True(await master.Db().PingAsync() > TimeSpan.Zero);
        Assert.True(await standby.Db().PingAsync() > TimeSpan.Zero);
    }

    [Fact]
    public async Task An_adopted_cluster_follows_a_failover_between_backups_and_a_lost_shard_fails_the_backup_cleanly()
    {
        await using var cluster = await TestCluster.StartAsync(3, 1, Password);
        var seed = cluster.Cluster.EndPoints[0];
        var created = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances", $$$"""
            {"name":"adopted-cluster","engine":"Redis","adopt":{"nodes":["{{{seed.Host}}}:{{{seed.Port}}}"],"password":"{{{Password}}}"}}
            """);
        string id = (string)created["instances"]![0]!["instance_id"]!;
        var instance = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}");
        Assert.Equal(("cluster", 3), ((string)instance["cache_mode"]!, (int)instance["sharding_count"]!));

        await WriteClusterDataAsync(cluster.Connection);
        var before = await cluster.Cluster.DiscoverAsync(CancellationToken.None);
        var atFirst = await ClusterLogicalDump.TakeAsync(cluster.Connection, before);
        var first = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        Assert.Equal("succeed", (string)(await _dcsd.WaitBackupAsync(id, (string)first["backup_id"]!))["status"]!);

        // Failover: shard 0's replica takes over. The next backup must find the new master by itself.
        var replica = before.Shards[0].Replicas[0];
        await cluster.Connection.GetServer(replica.Host, replica.Port).ExecuteAsync("CLUSTER", "FAILOVER");
        var after = await WaitForMasterAsync(cluster, replica.Port);
        var nodes = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}/logical-nodes");
        Assert.Contains(nodes["nodes"]!.AsArray(), n => (string)n!["node_port"]! == replica.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) && (string)n["node_type"]! == "master");
        // A client connecting now sees the new topology (the test's first connection would be redirected only lazily).
        await using var fresh = await ConnectionMultiplexer.ConnectAsync(cluster.Options());
        await fresh.GetDatabase().StringSetAsync("{s}after-failover", "in the second backup");
        var second = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        Assert.Equal("succeed", (string)(await _dcsd.WaitBackupAsync(id, (string)second["backup_id"]!))["status"]!);

        // The first backup restored over the failed-over cluster: exactly its data.
        var restore = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{first["backup_id"]}}"}""");
        Assert.Equal("succeed", (string)(await _dcsd.WaitRestoreAsync(id, (string)restore["restore_id"]!))["status"]!);
        Assert.Equal(atFirst, await ClusterLogicalDump.TakeAsync(fresh, after));

        // A whole shard lost while the backup is being taken: the backup fails, and leaves no file behind.
        var third = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        foreach (var node in after.Shards[1].Nodes)
        {
            int index = cluster.Cluster.Nodes.ToList().FindIndex(n => n.Port == node.Port);
            cluster.Cluster.KillNode(index);
        }

        var failed = await _dcsd.WaitBackupAsync(id, (string)third["backup_id"]!);
        Assert.Equal("failed", (string)failed["status"]!);
        Assert.Equal("FALSE", (string)failed["is_support_restore"]!);
        string thirdFolder = Path.Combine(_dcsd.DataDirectory, "backups", P, id, (string)third["backup_id"]!);
        Assert.True(!Directory.Exists(thirdFolder) || Directory.GetFiles(thirdFolder).Length == 0);
    }

    [Fact]
    public async Task Adopting_refuses_what_it_cannot_adopt_with_a_clear_error()
    {
        await using var single = await TestRedis.StartAsync(Password);
        int deadPort = single.Port + 1 == 65535 ? single.Port - 1 : single.Port + 1;

        async Task<string> RefusedAsync(string adopt, string? spec = null)
        {
            string specField = spec is null ? string.Empty : $$""","spec_code":"{{spec}}" """;
            var (status, body, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances", $$"""{"name":"x","adopt":{{adopt}}{{specField}}}""");
            Assert.Equal(400, status);
            Assert.Equal("DCS.4062", (string)body!["error_code"]!);
            return (string)body["error_msg"]!;
        }

        Assert.Contains("host:port", await RefusedAsync("""{"nodes":["no-port"]}"""), StringComparison.Ordinal);
        Assert.Contains("1 to 64", await RefusedAsync("""{"nodes":[]}"""), StringComparison.Ordinal);
        Assert.Contains("could not be adopted", await RefusedAsync($$"""{"nodes":["127.0.0.1:{{single.Port}}"],"password":"wrong"}"""), StringComparison.Ordinal);
        Assert.Contains("could not be adopted", await RefusedAsync($$"""{"nodes":["127.0.0.1:{{deadPort}}"]}"""), StringComparison.Ordinal);
        Assert.Contains("single", await RefusedAsync($$"""{"nodes":["127.0.0.1:{{single.Port}}"],"password":"{{Password}}"}""", "redis.cluster.xu1.large.shard.2"), StringComparison.Ordinal);

        // Adopted as what it is, a single node, it cannot be backed up (the seed's rule).
        var created = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances", $$$"""{"name":"one","adopt":{"nodes":["127.0.0.1:{{{single.Port}}}"],"password":"{{{Password}}}"}}""");
        string id = (string)created["instances"]![0]!["instance_id"]!;
        var (backupStatus, error, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        Assert.Equal((400, "DCS.4086"), (backupStatus, (string)error!["error_code"]!));
    }

    /// <summary>Strings, a hash, a zset, a list, a set and a stream in every shard, some with TTLs.</summary>
    internal static async Task WriteClusterDataAsync(ConnectionMultiplexer redis)
    {
        var db = redis.GetDatabase();
        var writes = new List<Task>();
        for (int i = 0; i < 600; i++)
        {
            writes.Add(i % 10 == 0 ? db.StringSetAsync("string:" + i, "value-" + i, TimeSpan.FromHours(5)) : db.StringSetAsync("string:" + i, "value-" + i));
        }

        for (int i = 0; i < 30; i++)
        {
            writes.Add(db.HashSetAsync("hash:" + i, [.. Enumerable.Range(0, 20 + (i * 10)).Select(f => new HashEntry("f" + f, f))]));
            writes.Add(db.SortedSetAddAsync("zset:" + i, [.. Enumerable.Range(0, 150).Select(m => new SortedSetEntry("m" + m, m * 0.5))]));
            writes.Add(db.ListRightPushAsync("list:" + i, [.. Enumerable.Range(0, 200).Select(v => (RedisValue)("item" + v))]));
            writes.Add(db.SetAddAsync("set:" + i, [.. Enumerable.Range(0, 64).Select(v => (RedisValue)v)]));
            writes.Add(db.StreamAddAsync("stream:" + i, "n", i));
        }

        await Task.WhenAll(writes);
    }

    private static int SlotCount(string range)
    {
        string[] bounds = range.Split('-');
        return bounds.Length == 1 ? 1 : int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture) - int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture) + 1;
    }

    internal static Task<ConnectionMultiplexer> ConnectAsync(string host, int port) =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { host, port } },
            Password = Password,
            AllowAdmin = true,
            SyncTimeout = 30000,
            AsyncTimeout = 30000,
        });

    internal static Task<Deployment> DiscoverAsync(JsonNode instance) =>
        RedisTopology.DiscoverAsync([((string)instance["ip"]!, (int)instance["port"]!)], Password, CancellationToken.None);

    private static async Task<Deployment> WaitForMasterAsync(TestCluster cluster, int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var deployment = await cluster.Cluster.DiscoverAsync(CancellationToken.None);
            if (deployment.Shards.Any(s => s.Master.Port == port) && deployment.Nodes.All(n => n.Health == NodeHealth.Online))
            {
                return deployment;
            }

            Assert.True(DateTime.UtcNow < deadline, $"node {port} did not become master");
            await Task.Delay(100);
        }
    }

    private static async Task WaitInSyncAsync(TestRedis master)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await master.Admin.InfoRawAsync("replication"))!.Contains("state=online", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the standby did not sync");
            await Task.Delay(50);
        }
    }
}
