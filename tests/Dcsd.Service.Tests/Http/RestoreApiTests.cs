using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Service.Tests.Http;

public sealed class RestoreApiTests : IAsyncLifetime
{
    private const string P = DcsTestClient.Project;
    private const string Password = "test-password-1";
    private DcsdTestServer _dcsd = null!;

    public async Task InitializeAsync() => _dcsd = await DcsdTestServer.StartAsync();

    public async Task DisposeAsync() => await _dcsd.DisposeAsync();

    [Fact]
    public async Task Restore_puts_back_exactly_the_backups_data_and_the_standby_follows()
    {
        var instance = await _dcsd.CreateRunningInstanceAsync(password: Password);
        string id = (string)instance["instance_id"]!;
        int port = (int)instance["port"]!;
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},password={Password},allowAdmin=true");
        await SampleData.WriteEveryTypeAsync(redis);
        var atBackup = await LogicalDump.TakeAsync(redis, $"127.0.0.1:{port}");
        var backup = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", """{"remark":"before the accident"}""");
        string backupId = (string)backup["backup_id"]!;
        Assert.Equal("succeed", (string)(await _dcsd.WaitBackupAsync(id, backupId))["status"]!);

        // The accident: keys changed, deleted and added after the backup.
        var db = redis.GetDatabase();
        await db.KeyDeleteAsync("db0:hash:big");
        await db.StringSetAsync("db0:string:small", "overwritten");
        await db.StringSetAsync("added-later", "must go");
        await redis.GetDatabase(7).StringSetAsync("another-db", "must go too");

        var (status, created, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{backupId}}","remark":"undo"}""");
        Assert.Equal(200, status);
        string restoreId = (string)created!["restore_id"]!;
        var record = await _dcsd.WaitRestoreAsync(id, restoreId);
        Assert.Equal("succeed", (string)record["status"]!);
        Assert.Equal("100.00", (string)record["progress"]!);
        Assert.Equal("replication", (string)record["engine"]!);
        Assert.Equal(backupId, (string)record["backup_id"]!);
        Assert.Equal("undo", (string)record["restore_remark"]!);
        Assert.Equal("before the accident", (string)record["backup_remark"]!);
        Assert.Matches("^restore_[0-9]{14}$", (string)record["restore_name"]!);
        Assert.Equal("RUNNING", (string)(await _dcsd.WaitInstanceAsync(id, "RUNNING"))["status"]!);

        Assert.Equal(atBackup, await LogicalDump.TakeAsync(redis, $"127.0.0.1:{port}"));

        // The standby ends in sync with the restored master.
        string standbyConf = Path.Combine(_dcsd.DataDirectory, "instances", id, "node-1", "redis.conf");
        int standbyPort = int.Parse(File.ReadLines(standbyConf).First(l => l.StartsWith("port ", StringComparison.Ordinal))[5..], System.Globalization.CultureInfo.InvariantCulture);
        await using var standby = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{standbyPort},password={Password},allowAdmin=true");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        SortedDictionary<string, string> standbyDump;
        while (!(standbyDump = await LogicalDump.TakeAsync(standby, $"127.0.0.1:{standbyPort}")).SequenceEqual(atBackup) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(atBackup, standbyDump);

        var v1 = await _dcsd.OkAsync(HttpMethod.Get, $"/v1.0/{P}/instances/{id}/restores?start=1&limit=10");
        Assert.Equal(1, (int)v1["total_num"]!);
        Assert.Equal(id, (string)v1["restore_record_response"]![0]!["sourceInstanceId"]!);
        Assert.Equal("t-ha", (string)v1["restore_record_response"]![0]!["sourceInstanceName"]!);
    }

    [Fact]
    public async Task Restore_rules_give_the_dcs_errors()
    {
        var instance = await _dcsd.CreateRunningInstanceAsync(password: Password);
        string id = (string)instance["instance_id"]!;
        var (s1, e1, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", "{}");
        Assert.Equal((400, "DCS.4062"), (s1, (string)e1!["error_code"]!));
        var (s2, e2, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{Guid.NewGuid()}}"}""");
        Assert.Equal((400, "DCS.4031"), (s2, (string)e2!["error_code"]!));
        var (s3, e3, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v1.0/{P}/instances/{id}/restores", "");
        Assert.Equal((400, "111400004"), (s3, (string)e3!["error"]!["code"]!));

        await using (var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{(int)instance["port"]!},password={Password}"))
        {
            await SampleData.WriteManyStringsAsync(redis, 200_000, valueSize: 100);
        }

        var done = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        await _dcsd.WaitBackupAsync(id, (string)done["backup_id"]!);

        // Restoring from a backup that has not succeeded (this one is still running) is refused.
        var running = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        var (s4, e4, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{running["backup_id"]}}"}""");
        Assert.Equal((400, "DCS.4087"), (s4, (string)e4!["error_code"]!));
        // …and so is a restore of a good backup while a backup runs.
        var (s5, e5, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{done["backup_id"]}}"}""");
        Assert.Equal((400, "DCS.4096"), (s5, (string)e5!["error_code"]!));
        await _dcsd.WaitBackupAsync(id, (string)running["backup_id"]!);

        // A restore running refuses a second restore and a backup.
        var restore = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{done["backup_id"]}}"}""");
        var (s6, e6, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{done["backup_id"]}}"}""");
        Assert.Equal((400, "DCS.4097"), (s6, (string)e6!["error_code"]!));
        var (s7, e7, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        Assert.Equal((400, "DCS.4097"), (s7, (string)e7!["error_code"]!));
        Assert.Equal("succeed", (string)(await _dcsd.WaitRestoreAsync(id, (string)restore["restore_id"]!))["status"]!);

        var single = await _dcsd.CreateRunningInstanceAsync("single", Password);
        var (s8, e8, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/instances/{single["instance_id"]}/restores", $$"""{"backup_id":"{{done["backup_id"]}}"}""");
        Assert.Equal((400, "DCS.4086"), (s8, (string)e8!["error_code"]!));
    }

    [Fact]
    public async Task A_restore_that_cannot_finish_is_failed_with_its_reason_and_the_instance_runs_again()
    {
        var instance = await _dcsd.CreateRunningInstanceAsync(password: Password);
        string id = (string)instance["instance_id"]!;
        var backup = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        string backupId = (string)backup["backup_id"]!;
        await _dcsd.WaitBackupAsync(id, backupId);
        File.Delete(_dcsd.BackupFilePath(id, backupId));

        var restore = await _dcsd.OkAsync(HttpMethod.Post, $"/v1.0/{P}/instances/{id}/restores", $$"""{"backup_id":"{{backupId}}"}""");
        var record = await _dcsd.WaitRestoreAsync(id, (string)restore["restore_id"]!);
        Assert.Equal("failed", (string)record["status"]!);
        Assert.Equal("dcs.08.0007", (string)record["error_code"]!);
        Assert.Equal("RUNNING", (string)(await _dcsd.WaitInstanceAsync(id, "RUNNING"))["status"]!);
    }

    [Fact]
    public async Task A_backup_file_damaged_since_the_backup_is_refused_before_anything_is_written()
    {
        // redis-server exits when a full sync hands it a damaged RDB: the file must be checked before it is served.
        var instance = await _dcsd.CreateRunningInstanceAsync(password: Password);
        string id = (string)instance["instance_id"]!;
        int port = (int)instance["port"]!;
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},password={Password},allowAdmin=true");
        for (int i = 0; i < 1000; i++)
        {
            await redis.GetDatabase().StringSetAsync($"key:{i}", $"value:{i}");
        }

        var backup = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        string backupId = (string)backup["backup_id"]!;
        Assert.Equal("succeed", (string)(await _dcsd.WaitBackupAsync(id, backupId))["status"]!);
        await redis.GetDatabase().StringSetAsync("written-after-the-backup", "kept");
        var atRestore = await LogicalDump.TakeAsync(redis, $"127.0.0.1:{port}");
        string file = _dcsd.BackupFilePath(id, backupId);
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = stream.Length / 2;
            int original = stream.ReadByte();
            stream.Position--;
            stream.WriteByte((byte)(original ^ 0xFF));
        }

        var restore = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{backupId}}"}""");
        var record = await _dcsd.WaitRestoreAsync(id, (string)restore["restore_id"]!);

        Assert.Equal("failed", (string)record["status"]!);
        Assert.Equal("dcs.08.0007", (string)record["error_code"]!);
        Assert.Contains("is damaged", (string)record["error_message"]!, StringComparison.Ordinal);
        Assert.Equal("RUNNING", (string)(await _dcsd.WaitInstanceAsync(id, "RUNNING"))["status"]!);
        Assert.Equal(atRestore, await LogicalDump.TakeAsync(redis, $"127.0.0.1:{port}"));
    }
}
