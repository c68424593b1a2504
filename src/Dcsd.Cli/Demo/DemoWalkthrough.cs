using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dcsd.Cli.Client;
using Spectre.Console;
using StackExchange.Redis;

namespace Dcsd.Cli.Demo;

/// <summary>The demo's steps, against a running dcsd, through the DCS API only.</summary>
internal sealed class DemoWalkthrough(DcsApiClient client, IAnsiConsole console)
{
    /// <summary>Huawei project ids are 32 hex characters; the demo uses a fixed one.</summary>
    public const string ProjectId = "0123456789abcdef0123456789abcdef";

    private const int SampleStrings = 10_000;

    /// <summary>Runs the steps; the master/standby instance and its backup, for the lines printed at the end.</summary>
    public async Task<(string InstanceId, string BackupId)> RunAsync(CancellationToken cancellationToken)
    {
        string password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        string stamp = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);

        Step("1. Create a master/standby instance (POST /v2/{project_id}/instances)");
        string haId = await CreateInstanceAsync($"demo-ha-{stamp}", "redis.ha.xu1.large.r2.1", password, cancellationToken).ConfigureAwait(false);
        var ha = await WaitRunningAsync(haId, cancellationToken).ConfigureAwait(false);
        console.MarkupLineInterpolated($"   instance [bold]{haId}[/] is RUNNING at {ha["ip"]}:{ha["port"]} (master + standby)");

        Step("2. Write sample data: strings, a hash, a list, a set, a sorted set, a stream, keys with TTLs");
        long keys = await WriteSampleDataAsync((string)ha["ip"]!, (int)ha["port"]!, password).ConfigureAwait(false);
        console.MarkupLineInterpolated($"   {keys} keys written");

        Step("3. Back it up with the seed's request: POST /v1.0/{project_id}/instances/{instance_id}/backups");
        console.WriteLine("""   {"remark": "Backup instances"}""");
        var created = (await client.SendOkAsync(HttpMethod.Post, $"/v1.0/{ProjectId}/instances/{haId}/backups", new { remark = "Backup instances" }, cancellationToken).ConfigureAwait(false)).Json!;
        console.WriteLine("   → 200 " + created.ToJsonString());
        string backupId = (string)created["backup_id"]!;

        Step("4. The backup record (GET /v1.0/{project_id}/instances/{instance_id}/backups)");
        var record = await WaitRecordAsync(haId, "backups", "backup", backupId, cancellationToken).ConfigureAwait(false);
        console.WriteLine(Indent(DcsApiClient.Pretty(record)));

        Step("5. Single-node instances cannot be backed up (the seed's note)");
        string singleId = await CreateInstanceAsync($"demo-single-{stamp}", "redis.single.xu1.tiny.128", password, cancellationToken).ConfigureAwait(false);
        await WaitRunningAsync(singleId, cancellationToken).ConfigureAwait(false);
        var refusal = await client.SendAsync(HttpMethod.Post, $"/v1.0/{ProjectId}/instances/{singleId}/backups", new { remark = "Backup instances" }, cancellationToken).ConfigureAwait(false);
        console.WriteLine($"   → {refusal.Status} {refusal.Text}");

        Step("6. Put the backup back: a write after the backup is gone again (POST /v1.0/{project_id}/instances/{instance_id}/restores)");
        await using (var redis = await ConnectAsync((string)ha["ip"]!, (int)ha["port"]!, password).ConfigureAwait(false))
        {
            await redis.GetDatabase().StringSetAsync("written-after-the-backup", "gone after the restore").ConfigureAwait(false);
        }

        var restore = (await client.SendOkAsync(HttpMethod.Post, $"/v1.0/{ProjectId}/instances/{haId}/restores", new { backup_id = backupId, remark = "demo restore" }, cancellationToken).ConfigureAwait(false)).Json!;
        console.WriteLine("   → 200 " + restore.ToJsonString());
        var restored = await WaitRecordAsync(haId, "restores", "restore", (string)restore["restore_id"]!, cancellationToken).ConfigureAwait(false);
        await using (var redis = await ConnectAsync((string)ha["ip"]!, (int)ha["port"]!, password).ConfigureAwait(false))
        {
            long size = await redis.GetServer((string)ha["ip"]!, (int)ha["port"]!).DatabaseSizeAsync().ConfigureAwait(false);
            bool after = await redis.GetDatabase().KeyExistsAsync("written-after-the-backup").ConfigureAwait(false);
            console.WriteLine($"   restore {restored["restore_name"]} {restored["status"]} (engine {restored["engine"]}): {size} keys, the later write {(after ? "still there" : "gone")}");
        }

        return (haId, backupId);
    }

    private void Step(string title) => console.MarkupLineInterpolated($"\n[bold yellow]{title}[/]");

    private async Task<string> CreateInstanceAsync(string name, string specCode, string password, CancellationToken cancellationToken)
    {
        var body = new
        {
            name,
            engine = "Redis",
            engine_version = "7.0",
            capacity = 1,
            spec_code = specCode,
            password,
            az_codes = new[] { "az-local" },
            vpc_id = "vpc-local",
            subnet_id = "subnet-local",
        };
        var created = (await client.SendOkAsync(HttpMethod.Post, $"/v2/{ProjectId}/instances", body, cancellationToken).ConfigureAwait(false)).Json!;
        return (string)created["instances"]![0]!["instance_id"]!;
    }

    private async Task<JsonNode> WaitRunningAsync(string instanceId, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            var instance = (await client.SendOkAsync(HttpMethod.Get, $"/v2/{ProjectId}/instances/{instanceId}", null, cancellationToken).ConfigureAwait(false)).Json!;
            string status = (string)instance["status"]!;
            if (status == "RUNNING")
            {
                return instance;
            }

            if (status != "CREATING" || attempt > 600)
            {
                throw new InvalidOperationException($"instance {instanceId} is {status}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Polls the instance's backups or restores (v1.0 list) until the record is succeed or failed.</summary>
    private async Task<JsonNode> WaitRecordAsync(string instanceId, string collection, string kind, string id, CancellationToken cancellationToken)
    {
        while (true)
        {
            var list = (await client.SendOkAsync(HttpMethod.Get, $"/v1.0/{ProjectId}/instances/{instanceId}/{collection}?start=1&limit=10", null, cancellationToken).ConfigureAwait(false)).Json!;
            var record = list[$"{kind}_record_response"]!.AsArray().First(r => (string)r![$"{kind}_id"]! == id)!;
            if ((string)record["status"]! is "succeed" or "failed")
            {
                return record;
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(string host, int port, string password) =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { { host, port } }, Password = password, AllowAdmin = true });

    private static async Task<long> WriteSampleDataAsync(string host, int port, string password)
    {
        await using var redis = await ConnectAsync(host, port, password).ConfigureAwait(false);
        var db = redis.GetDatabase();
        var batch = new List<Task>();
        for (int i = 0; i < SampleStrings; i++)
        {
            batch.Add(db.StringSetAsync($"user:{i}", $"{{\"id\":{i},\"name\":\"user {i}\"}}"));
        }

        batch.Add(db.HashSetAsync("config", [new("region", "local"), new("tier", "gold"), new("replicas", 1)]));
        batch.Add(db.ListRightPushAsync("queue", [.. Enumerable.Range(0, 100).Select(i => (RedisValue)$"job-{i}")]));
        batch.Add(db.SetAddAsync("tags", ["redis", "backup", "dcs"]));
        batch.Add(db.SortedSetAddAsync("leaderboard", [.. Enumerable.Range(0, 50).Select(i => new SortedSetEntry($"player-{i}", i * 10))]));
        batch.Add(db.StreamAddAsync("events", "type", "created"));
        batch.Add(db.StringSetAsync("session:short", "expires soon", TimeSpan.FromHours(1)));
        await Task.WhenAll(batch).ConfigureAwait(false);
        return SampleStrings + 6;
    }

    private static string Indent(string text) => string.Join('\n', text.Split('\n').Select(line => "   " + line));
}
