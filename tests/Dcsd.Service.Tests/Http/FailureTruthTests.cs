using System.Text.Json.Nodes;
using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Service.Tests.Http;

/// <summary>
/// What the records say when Redis does not cooperate: a node that accepts but stays silent is a time-out (dcs.08.0002)
/// naming the node and the wait, and a restore target that cannot reach dcsd's replication listener still gets the data,
/// through the RESTORE engine, and the record says so.
/// </summary>
public sealed class FailureTruthTests
{
    private const string P = DcsdTestServer.Project;
    private const string Password = "truth-password-1";

    [Fact]
    public async Task A_master_that_accepts_but_does_not_answer_fails_the_backup_as_a_timeout_naming_it()
    {
        await using var dcsd = await DcsdTestServer.StartAsync();
        await using var master = await TestRedis.StartAsync(Password);
        await using var standby = await TestRedis.StartReplicaAsync(master);
        var created = await dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances", $$$"""
            {"name":"sleepy","engine":"Redis","spec_code":"redis.ha.xu1.large.r2.1","adopt":{"nodes":["127.0.0.1:{{{master.Port}}}","127.0.0.1:{{{standby.Port}}}"],"password":"{{{Password}}}"}}
            """);
        string id = (string)created["instances"]![0]!["instance_id"]!;

        // Its own connection: DEBUG SLEEP blocks the whole server, the test's multiplexer included.
        await using var sleeper = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{master.Port},password={Password},syncTimeout=40000,asyncTimeout=40000");
        // Longer than two reply time-outs: discovery asks the master, then the standby, which leads it back to the master.
        Task sleeping = sleeper.GetDatabase().ExecuteAsync("DEBUG", "SLEEP", "25");
        await Task.Delay(300);
        var backup = await dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        JsonNode record = await dcsd.WaitBackupAsync(id, (string)backup["backup_id"]!, TimeSpan.FromSeconds(60));

        Assert.Equal("failed", (string)record["status"]!);
        Assert.Equal("dcs.08.0002", (string)record["error_code"]!);
        string message = (string)record["error_message"]!;
        Assert.Contains($"127.0.0.1:{master.Port} accepted the connection but did not answer", message, StringComparison.Ordinal);
        Assert.Contains("within 10 s", message, StringComparison.Ordinal);
        await sleeping;
    }

    [Fact]
    public async Task A_restore_target_that_cannot_reach_the_listener_is_restored_through_restore_commands_and_the_record_says_so()
    {
        await using var dcsd = await DcsdTestServer.StartAsync(configure: options =>
        {
            // As for a target on another host: it is told an address where nothing of dcsd's listens.
            options.ReplicationAdvertiseAddress = "127.0.0.2";
            options.ReplicationLinkTimeout = TimeSpan.FromSeconds(2);
        });
        var instance = await dcsd.CreateRunningInstanceAsync(password: Password);
        string id = (string)instance["instance_id"]!;
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{(int)instance["port"]!},password={Password},allowAdmin=true");
        await SampleData.WriteEveryTypeAsync(redis);
        var atBackup = await LogicalDump.TakeAsync(redis, $"127.0.0.1:{(int)instance["port"]!}");
        var backup = await dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        Assert.Equal("succeed", (string)(await dcsd.WaitBackupAsync(id, (string)backup["backup_id"]!))["status"]!);
        await redis.GetDatabase().StringSetAsync("db0:string:small", "changed");

        var restore = await dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{backup["backup_id"]}}"}""");
        JsonNode record = await dcsd.WaitRestoreAsync(id, (string)restore["restore_id"]!);

        Assert.Equal("succeed", (string)record["status"]!);
        Assert.Equal("restore", (string)record["engine"]!);
        Assert.Equal(atBackup, await LogicalDump.TakeAsync(redis, $"127.0.0.1:{(int)instance["port"]!}"));
        Assert.Contains("role:master", await redis.GetServer($"127.0.0.1:{(int)instance["port"]!}").InfoRawAsync("replication"), StringComparison.Ordinal);
    }
}
