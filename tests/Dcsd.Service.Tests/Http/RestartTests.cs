using Dcsd.Redis.Processes;
using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Service.Tests.Http;

/// <summary>dcsd as a real process: stopped, killed and started again over the same data directory.</summary>
public sealed class RestartTests
{
    private const string P = DcsTestClient.Project;
    private const string Password = "test-password-1";

    [Fact]
    public async Task Instances_come_back_with_their_data_after_dcsd_stops_and_starts_again()
    {
        using var data = new TempDirectory("dcsd-restart");
        var dcsd = await DcsdProcess.StartAsync(data.Path);
        var instance = await dcsd.CreateRunningInstanceAsync(password: Password);
        string id = (string)instance["instance_id"]!;
        int port = (int)instance["port"]!;
        await using (var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},password={Password}"))
        {
            await redis.GetDatabase().StringSetAsync("survives", "restart");
        }

        // A clean stop takes the instance's processes down with dcsd…
        await dcsd.StopAsync();
        await dcsd.DisposeAsync();
        Assert.False(await RedisInlineClient.PingAsync(port, Password));

        // …and the next start brings them back on the same port with the same data.
        await using var again = await DcsdProcess.StartAsync(data.Path, dcsd.Port);
        var back = await again.WaitInstanceAsync(id, "RUNNING");
        Assert.Equal(port, (int)back["port"]!);
        await WaitUntilAsync(() => RedisInlineClient.PingAsync(port, Password));
        await using (var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},password={Password}"))
        {
            Assert.Equal("restart", await redis.GetDatabase().StringGetAsync("survives"));
        }
    }

    [Fact]
    public async Task A_cluster_instance_comes_back_whole_after_dcsd_stops_and_starts_again()
    {
        using var data = new TempDirectory("dcsd-restart-cluster");
        var dcsd = await DcsdProcess.StartAsync(data.Path);
        var instance = await dcsd.CreateRunningClusterAsync(2, ClusterApiTests.Password);
        string id = (string)instance["instance_id"]!;
        var deployment = await Dcsd.Redis.Topology.RedisTopology.DiscoverAsync([("127.0.0.1", (int)instance["port"]!)], ClusterApiTests.Password, CancellationToken.None);
        SortedDictionary<string, string> before;
        await using (var redis = await ClusterApiTests.ConnectAsync("127.0.0.1", (int)instance["port"]!))
        {
            await ClusterApiTests.WriteClusterDataAsync(redis);
            before = await ClusterLogicalDump.TakeAsync(redis, deployment);
        }

        await dcsd.StopAsync();
        await dcsd.DisposeAsync();
        Assert.All(deployment.Nodes, node => Assert.False(RedisInlineClient.PingAsync(node.Port, ClusterApiTests.Password).GetAwaiter().GetResult()));

        // Every node restarts from its directory and port; nodes.conf makes them one cluster again, with the same slots.
        await using var again = await DcsdProcess.StartAsync(data.Path, dcsd.Port);
        await again.WaitInstanceAsync(id, "RUNNING");
        var healthy = await Dcsd.Redis.Cluster.ClusterHealth.WaitUntilHealthyAsync(
            [.. deployment.Nodes.Select(node => (node.Host, node.Port))], ClusterApiTests.Password, 2, 1, TimeSpan.FromSeconds(60), CancellationToken.None);
        await using (var redis = await ClusterApiTests.ConnectAsync("127.0.0.1", (int)instance["port"]!))
        {
            Assert.Equal(before, await ClusterLogicalDump.TakeAsync(redis, healthy));
        }
    }

    [Fact]
    public async Task A_backup_cut_short_by_killing_dcsd_is_never_left_as_succeed_with_a_bad_file()
    {
        using var data = new TempDirectory("dcsd-kill");
        var dcsd = await DcsdProcess.StartAsync(data.Path);
        var instance = await dcsd.CreateRunningInstanceAsync(password: Password);
        string id = (string)instance["instance_id"]!;
        int port = (int)instance["port"]!;
        await using (var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},password={Password},allowAdmin=true"))
        {
            await SampleData.WriteManyStringsAsync(redis, 100_000, valueSize: 2000);
        }

        var created = await dcsd.OkAsync(HttpMethod.Post, $"/v1.0/{P}/instances/{id}/backups", """{"remark":"doomed"}""");
        string backupId = (string)created["backup_id"]!;
        await WaitUntilAsync(async () => (string)(await dcsd.FindBackupAsync(id, backupId))["status"]! != "waiting");
        await dcsd.KillAsync();
        await dcsd.DisposeAsync();

        // The instance outlived dcsd (its processes are not dcsd's children to take down with a SIGKILL)…
        Assert.True(await RedisInlineClient.PingAsync(port, Password));

        await using var again = await DcsdProcess.StartAsync(data.Path, dcsd.Port);
        var record = await again.WaitBackupAsync(id, backupId);
        string folder = Path.Combine(data.Path, "backups", P, id, backupId);
        if ((string)record["status"]! == "succeed")
        {
            // The kill came after the commit: the file must then be whole.
            await using var restored = await TestRedis.StartFromRdbAsync(DcsTestClient.BackupFilePath(data.Path, id, backupId));
            Assert.Equal(100_000, await restored.Admin.DatabaseSizeAsync());
        }
        else
        {
            Assert.Equal("failed", (string)record["status"]!);
            Assert.Equal("FALSE", (string)record["is_support_restore"]!);
            Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), "an interrupted backup left files behind");
        }

        // …and was re-attached, not restarted: a new backup works against it.
        var second = await again.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        Assert.Equal("succeed", (string)(await again.WaitBackupAsync(id, (string)second["backup_id"]!))["status"]!);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
