using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Service.Tests.Http;

public sealed class BackupApiTests : IAsyncLifetime
{
    private const string P = DcsdTestServer.Project;
    private const string Password = "test-password-1";
    private DcsdTestServer _dcsd = null!;

    public async Task InitializeAsync() => _dcsd = await DcsdTestServer.StartAsync();

    public async Task DisposeAsync() => await _dcsd.DisposeAsync();

    private static async Task<ConnectionMultiplexer> ConnectAsync(System.Text.Json.Nodes.JsonNode instance) =>
        await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", (int)instance["port"]! } },
            Password = Password,
            AllowAdmin = true,
        });

    [Fact]
    public async Task The_seed_request_backs_up_every_type_into_a_file_redis_loads_back_to_the_same_data()
    {
        var instance = await _dcsd.CreateRunningInstanceAsync();
        string id = (string)instance["instance_id"]!;
        await using var redis = await ConnectAsync(instance);
        await SampleData.WriteEveryTypeAsync(redis);
        string endPoint = $"127.0.0.1:{(int)instance["port"]!}";
        var before = await LogicalDump.TakeAsync(redis, endPoint);

        var (status, body, response) = await _dcsd.SendAsync(HttpMethod.Post, $"/v1.0/{P}/instances/{id}/backups", """{"remark": "Backup instances"}""");
        Assert.Equal(200, status);
        Assert.True(response.Headers.Contains("X-Request-Id"));
        Assert.Single(body!.AsObject());
        string backupId = (string)body["backup_id"]!;
        Assert.True(Guid.TryParseExact(backupId, "D", out _));

        var record = await _dcsd.WaitBackupAsync(id, backupId);
        Assert.Equal("succeed", (string)record["status"]!);
        Assert.Equal("100.00", (string)record["progress"]!);
        Assert.Equal("TRUE", (string)record["is_support_restore"]!);
        Assert.Equal("manual", (string)record["backup_type"]!);
        Assert.Equal("rdb", (string)record["backup_format"]!);
        Assert.Equal("Backup instances", (string)record["remark"]!);
        Assert.Matches("^backup_[0-9]{14}$", (string)record["backup_name"]!);
        Assert.Null(record["error_code"]);
        Assert.Equal(before.Count, (long)record["content"]!["total_keys"]!);

        string file = _dcsd.BackupFilePath(id, backupId);
        Assert.Equal(new FileInfo(file).Length, (long)record["size"]!);
        await using var restored = await TestRedis.StartFromRdbAsync(file);
        var after = await LogicalDump.TakeAsync(restored.Connection, restored.EndPoint);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Single_node_instances_are_refused_in_both_versions()
    {
        var single = await _dcsd.CreateRunningInstanceAsync("single");
        string id = (string)single["instance_id"]!;
        var (v1, e1, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v1.0/{P}/instances/{id}/backups", """{"remark":"x"}""");
        Assert.Equal((400, "111400086"), (v1, (string)e1!["error"]!["code"]!));
        var (v2, e2, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        Assert.Equal((400, "DCS.4086"), (v2, (string)e2!["error_code"]!));
        var list = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}/backups");
        Assert.Equal(0, (int)list["total_num"]!);
    }

    [Fact]
    public async Task Backup_rules_give_the_dcs_errors()
    {
        var instance = await _dcsd.CreateRunningInstanceAsync();
        string id = (string)instance["instance_id"]!;
        await using (var redis = await ConnectAsync(instance))
        {
            await SampleData.WriteManyStringsAsync(redis, 300_000, valueSize: 100);
        }

        var (s1, e1, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", $$"""{"remark":"{{new string('r', 129)}}"}""");
        Assert.Equal((400, "DCS.4098"), (s1, (string)e1!["error_code"]!));
        var (s2, e2, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", """{"backup_format":"aof"}""");
        Assert.Equal((400, "DCS.4062"), (s2, (string)e2!["error_code"]!));
        Assert.Contains("backup_format", (string)e2["error_msg"]!, StringComparison.Ordinal);
        var (s3, e3, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{bad");
        Assert.Equal((400, "DCS.4005"), (s3, (string)e3!["error_code"]!));
        var (s4, e4, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{Guid.NewGuid()}/backups", "{}");
        Assert.Equal((404, "DCS.3022"), (s4, (string)e4!["error_code"]!));

        // A second backup while the first runs is refused; the first still completes.
        var first = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", """{"backup_format":"rdb"}""");
        var (s5, e5, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        Assert.Equal((400, "DCS.4096"), (s5, (string)e5!["error_code"]!));
        var (s6, e6, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v1.0/{P}/instances/{id}/backups", "");
        Assert.Equal((400, "111400096"), (s6, (string)e6!["error"]!["code"]!));
        Assert.Equal("succeed", (string)(await _dcsd.WaitBackupAsync(id, (string)first["backup_id"]!))["status"]!);

        // An instance that is not running yet is refused with DCS.4049.
        var created = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances", """{"name":"later","spec_code":"redis.ha.xu1.large.r2.1","capacity":1}""");
        string creatingId = (string)created["instances"]![0]!["instance_id"]!;
        var (s7, e7, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{creatingId}/backups", "{}");
        Assert.Equal((400, "DCS.4049"), (s7, (string)e7!["error_code"]!));
        await _dcsd.WaitInstanceAsync(creatingId, "RUNNING");
    }

    [Fact]
    public async Task A_source_that_dies_mid_transfer_fails_the_backup_and_leaves_no_file()
    {
        var instance = await _dcsd.CreateRunningInstanceAsync();
        string id = (string)instance["instance_id"]!;
        await using (var redis = await ConnectAsync(instance))
        {
            await SampleData.WriteManyStringsAsync(redis, 100_000, valueSize: 2000);
        }

        string standbyConf = Path.Combine(_dcsd.DataDirectory, "instances", id, "node-1", "redis.conf");
        int standbyPort = int.Parse(File.ReadLines(standbyConf).First(l => l.StartsWith("port ", StringComparison.Ordinal))[5..], System.Globalization.CultureInfo.InvariantCulture);
        var created = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        string backupId = (string)created["backup_id"]!;
        while ((string)(await _dcsd.FindBackupAsync(id, backupId))["status"]! == "waiting")
        {
            await Task.Delay(5);
        }

        // The standby is the source while it is in sync; take it down the hard way.
        await Dcsd.Redis.Processes.RedisInlineClient.SendAsync(standbyPort, Password, ["SHUTDOWN", "NOSAVE"]).ContinueWith(_ => { });
        var record = await _dcsd.WaitBackupAsync(id, backupId);
        string folder = Path.Combine(_dcsd.DataDirectory, "backups", P, id, backupId);
        if ((string)record["status"]! == "failed")
        {
            Assert.Equal("dcs.08.0001", (string)record["error_code"]!);
            Assert.Equal("FALSE", (string)record["is_support_restore"]!);
            Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), "a failed backup left files behind");
        }
        else
        {
            // The transfer beat the shutdown: then the file must be whole.
            await using var restored = await TestRedis.StartFromRdbAsync(_dcsd.BackupFilePath(id, backupId));
            Assert.Equal(100_000, await restored.Admin.DatabaseSizeAsync());
        }

        // The supervisor brings the standby back and the next backup succeeds.
        var next = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        Assert.Equal("succeed", (string)(await _dcsd.WaitBackupAsync(id, (string)next["backup_id"]!))["status"]!);
    }

    [Fact]
    public async Task Lists_page_newest_first_with_exact_totals_and_delete_keeps_the_record()
    {
        var instance = await _dcsd.CreateRunningInstanceAsync();
        string id = (string)instance["instance_id"]!;
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var created = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", $$"""{"remark":"b{{i}}"}""");
            ids.Add((string)created["backup_id"]!);
            await _dcsd.WaitBackupAsync(id, ids[^1]);
        }

        var page = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}/backups?offset=1&limit=1");
        Assert.Equal(3, (int)page["total_num"]!);
        Assert.Equal(ids[1], (string)page["backup_record_response"]![0]!["backup_id"]!);
        var v1 = await _dcsd.OkAsync(HttpMethod.Get, $"/v1.0/{P}/instances/{id}/backups?start=1&limit=2");
        Assert.Equal(3, (int)v1["total_num"]!);
        Assert.Equal([ids[2], ids[1]], v1["backup_record_response"]!.AsArray().Select(r => (string)r!["backup_id"]!));
        Assert.Equal("RDB", (string)v1["backup_record_response"]![0]!["backup_format"]!);

        string future = DateTime.UtcNow.AddDays(1).ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var none = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}/backups?begin_time={future}");
        Assert.Equal(0, (int)none["total_num"]!);
        Assert.Empty(none["backup_record_response"]!.AsArray());
        var (s1, e1, _) = await _dcsd.SendAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}/backups?begin_time=20250102000000&end_time=20250101000000");
        Assert.Equal((400, "DCS.4025"), (s1, (string)e1!["error_code"]!));
        var (s2, e2, _) = await _dcsd.SendAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}/backups?limit=1001");
        Assert.Equal((400, "DCS.4062"), (s2, (string)e2!["error_code"]!));
        var (s3, _, _) = await _dcsd.SendAsync(HttpMethod.Get, $"/v1.0/{P}/instances/{id}/backups?start=0");
        Assert.Equal(400, s3);

        string file = _dcsd.BackupFilePath(id, ids[0]);
        var (v2Delete, v2Body, _) = await _dcsd.SendAsync(HttpMethod.Delete, $"/v2/{P}/instances/{id}/backups/{ids[0]}");
        Assert.Equal((204, null), (v2Delete, v2Body));
        Assert.False(File.Exists(file));
        var deleted = await _dcsd.FindBackupAsync(id, ids[0]);
        Assert.Equal("deleted", (string)deleted["status"]!);
        Assert.Equal("FALSE", (string)deleted["is_support_restore"]!);
        var (again, againError, _) = await _dcsd.SendAsync(HttpMethod.Delete, $"/v2/{P}/instances/{id}/backups/{ids[0]}");
        Assert.Equal((400, "DCS.4031"), (again, (string)againError!["error_code"]!));

        var v1Delete = await _dcsd.OkAsync(HttpMethod.Delete, $"/v1.0/{P}/instances/{id}/backups/{ids[1]}");
        Assert.Equal(string.Empty, (string)v1Delete["message"]!);
        var total = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/instances/{id}/backups");
        Assert.Equal(3, (int)total["total_num"]!);
    }
}
