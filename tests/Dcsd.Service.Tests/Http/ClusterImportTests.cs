using System.Text.Json.Nodes;
using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Service.Tests.Http;

/// <summary>Backups imported (DCS migration tasks) into clusters of other shard counts, and master/standby backups into clusters.</summary>
[Collection(ClusterTests.Collection)]
public sealed class ClusterImportTests : IAsyncLifetime
{
    private const string P = DcsTestClient.Project;
    private const string Password = ClusterApiTests.Password;
    private DcsdTestServer _dcsd = null!;

    public async Task InitializeAsync() => _dcsd = await DcsdTestServer.StartAsync();

    public async Task DisposeAsync() => await _dcsd.DisposeAsync();

    [Fact]
    public async Task A_three_shard_backup_imports_exactly_into_two_and_four_shards()
    {
        var sourceTask = _dcsd.CreateRunningClusterAsync(3, Password);
        var twoTask = _dcsd.CreateRunningClusterAsync(2, Password);
        var fourTask = _dcsd.CreateRunningClusterAsync(4, Password);
        var (source, two, four) = (await sourceTask, await twoTask, await fourTask);

        await using var redis = await ClusterApiTests.ConnectAsync((string)source["ip"]!, (int)source["port"]!);
        await ClusterApiTests.WriteClusterDataAsync(redis);
        var atBackup = await ClusterLogicalDump.TakeAsync(redis, await ClusterApiTests.DiscoverAsync(source));
        string backupId = await BackupAsync((string)source["instance_id"]!);

        foreach (var target in new[] { two, four })
        {
            // Something already there must be gone afterwards.
            await using var targetRedis = await ClusterApiTests.ConnectAsync((string)target["ip"]!, (int)target["port"]!);
            await targetRedis.GetDatabase().StringSetAsync("stale", "replaced by the import");

            var task = await ImportAsync(backupId, (string)target["instance_id"]!);
            Assert.True((string)task["status"]! == "SUCCESS", task.ToJsonString());
            Assert.Equal(atBackup, await ClusterLogicalDump.TakeAsync(targetRedis, await ClusterApiTests.DiscoverAsync(target)));
            Assert.Equal("RUNNING", (string)(await _dcsd.WaitInstanceAsync((string)target["instance_id"]!, "RUNNING"))["status"]!);
        }
    }

    [Fact]
    public async Task A_master_standby_backup_goes_into_a_cluster_and_its_other_databases_need_a_choice()
    {
        var haTask = _dcsd.CreateRunningInstanceAsync(password: Password);
        var clusterTask = _dcsd.CreateRunningClusterAsync(3, Password);
        var (ha, cluster) = (await haTask, await clusterTask);
        string haEndPoint = $"127.0.0.1:{(int)ha["port"]!}";
        await using var haRedis = await ConnectionMultiplexer.ConnectAsync($"{haEndPoint},password={Password},allowAdmin=true");
        await SampleData.WriteEveryTypeAsync(haRedis, databases: 3);
        var atBackup = await LogicalDump.TakeAsync(haRedis, haEndPoint);
        string backupId = await BackupAsync((string)ha["instance_id"]!);
        string clusterId = (string)cluster["instance_id"]!;

        // By default, keys in databases a cluster does not have are a clear failure, before anything is written.
        await using var clusterRedis = await ClusterApiTests.ConnectAsync((string)cluster["ip"]!, (int)cluster["port"]!);
        await clusterRedis.GetDatabase().StringSetAsync("kept", "the refused import wrote nothing");
        var refused = await ImportAsync(backupId, clusterId);
        Assert.Equal("FAILED", (string)refused["status"]!);
        Assert.Contains("database(s) 1, 2", (string)refused["error_message"]!, StringComparison.Ordinal);
        Assert.Equal("the refused import wrote nothing", (string?)await clusterRedis.GetDatabase().StringGetAsync("kept"));

        var db0Only = await ImportAsync(backupId, clusterId, "db0_only");
        Assert.True((string)db0Only["status"]! == "SUCCESS", db0Only.ToJsonString());
        var expected = new SortedDictionary<string, string>(atBackup.Where(e => e.Key.StartsWith("0/", StringComparison.Ordinal)).ToDictionary(), StringComparer.Ordinal);
        Assert.Equal(expected, await ClusterLogicalDump.TakeAsync(clusterRedis, await ClusterApiTests.DiscoverAsync(cluster)));

        var (status, error, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/migration-task", ImportBody(backupId, clusterId, "all_of_them"));
        Assert.Equal((400, "DCS.4062"), (status, (string)error!["error_code"]!));
    }

    private async Task<string> BackupAsync(string instanceId)
    {
        var backup = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{instanceId}/backups", "{}");
        string backupId = (string)backup["backup_id"]!;
        Assert.Equal("succeed", (string)(await _dcsd.WaitBackupAsync(instanceId, backupId))["status"]!);
        return backupId;
    }

    private async Task<JsonNode> ImportAsync(string backupId, string targetId, string? multiDbPolicy = null)
    {
        var created = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/migration-task", ImportBody(backupId, targetId, multiDbPolicy));
        return await _dcsd.WaitMigrationTaskAsync((string)created["id"]!);
    }

    private static string ImportBody(string backupId, string targetId, string? multiDbPolicy)
    {
        var body = new JsonObject
        {
            ["task_name"] = "import-" + targetId[..8],
            ["migration_type"] = "backupfile_import",
            ["migration_method"] = "full_amount_migration",
            ["backup_files"] = new JsonObject { ["file_source"] = "backup_record", ["backup_id"] = backupId },
            ["target_instance"] = new JsonObject { ["id"] = targetId, ["password"] = Password },
        };
        if (multiDbPolicy is not null)
        {
            body["multi_db_policy"] = multiDbPolicy;
        }

        return body.ToJsonString();
    }
}
