using System.Text.Json.Nodes;

namespace Dcsd.Service.Tests;

/// <summary>DCS API calls and waits shared by the in-process and the out-of-process dcsd.</summary>
public class DcsTestClient(HttpClient client) : IDisposable
{
    public const string Project = "0123456789abcdef0123456789abcdef";

    public HttpClient Client { get; } = client;

    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        var response = await Client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public async Task<JsonNode> OkAsync(HttpMethod method, string path, string? json = null)
    {
        var (status, body, _) = await SendAsync(method, path, json);
        Assert.True(status is >= 200 and < 300, $"{method} {path} answered {status}: {body?.ToJsonString()}");
        return body!;
    }

    /// <summary>Creates an instance through the v2 API and waits until it is RUNNING.</summary>
    public async Task<JsonNode> CreateRunningInstanceAsync(string mode = "ha", string password = "test-password-1")
    {
        string spec = mode == "ha" ? "redis.ha.xu1.large.r2.1" : "redis.single.xu1.tiny.128";
        var created = await OkAsync(HttpMethod.Post, $"/v2/{Project}/instances", $$"""
            {"name":"t-{{mode}}","engine":"Redis","engine_version":"7.0","capacity":1,"spec_code":"{{spec}}","password":"{{password}}",
             "az_codes":["az1"],"vpc_id":"vpc-1","subnet_id":"subnet-1"}
            """);
        string id = (string)created["instances"]![0]!["instance_id"]!;
        return await WaitInstanceAsync(id, "RUNNING");
    }

    /// <summary>Creates a cluster instance of <paramref name="shards"/> shards (a master and a standby each) and waits until it is RUNNING.</summary>
    public async Task<JsonNode> CreateRunningClusterAsync(int shards, string password)
    {
        var created = await OkAsync(HttpMethod.Post, $"/v2/{Project}/instances", $$"""
            {"name":"c{{shards}}","engine":"Redis","engine_version":"7.0","capacity":1,"spec_code":"redis.cluster.xu1.large.shard.2",
             "password":"{{password}}","sharding_count":{{shards}}}
            """);
        return await WaitInstanceAsync((string)created["instances"]![0]!["instance_id"]!, "RUNNING");
    }

    public async Task<JsonNode> WaitInstanceAsync(string instanceId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (true)
        {
            var instance = await OkAsync(HttpMethod.Get, $"/v2/{Project}/instances/{instanceId}");
            if ((string)instance["status"]! == status)
            {
                return instance;
            }

            Assert.True(DateTime.UtcNow < deadline, $"instance {instanceId} is {instance["status"]}, expected {status}");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls the v2 list until the backup reaches a final status and returns its record.</summary>
    public async Task<JsonNode> WaitBackupAsync(string instanceId, string backupId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        while (true)
        {
            var record = await FindBackupAsync(instanceId, backupId);
            if ((string)record["status"]! is "succeed" or "failed")
            {
                return record;
            }

            Assert.True(DateTime.UtcNow < deadline, $"backup {backupId} still {record["status"]}");
            await Task.Delay(50);
        }
    }

    public async Task<JsonNode> FindBackupAsync(string instanceId, string backupId)
    {
        var list = await OkAsync(HttpMethod.Get, $"/v2/{Project}/instances/{instanceId}/backups?limit=1000");
        return list["backup_record_response"]!.AsArray().Single(r => (string)r!["backup_id"]! == backupId)!;
    }

    /// <summary>Polls the v2 list until the restore reaches a final status and returns its record.</summary>
    public async Task<JsonNode> WaitRestoreAsync(string instanceId, string restoreId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var list = await OkAsync(HttpMethod.Get, $"/v2/{Project}/instances/{instanceId}/restores?limit=1000");
            var record = list["restore_record_response"]!.AsArray().Single(r => (string)r!["restore_id"]! == restoreId)!;
            if ((string)record["status"]! is "succeed" or "failed")
            {
                return record;
            }

            Assert.True(DateTime.UtcNow < deadline, $"restore {restoreId} still {record.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls a backup import (migration task) until it ends; it must show MIGRATING until then.</summary>
    public async Task<JsonNode> WaitMigrationTaskAsync(string taskId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (true)
        {
            var task = await OkAsync(HttpMethod.Get, $"/v2/{Project}/migration-task/{taskId}");
            if ((string)task["status"]! is "SUCCESS" or "FAILED")
            {
                return task;
            }

            Assert.Equal("MIGRATING", (string)task["status"]!);
            Assert.True(DateTime.UtcNow < deadline, $"migration task {taskId} still {task["status"]}");
            await Task.Delay(50);
        }
    }

    /// <summary>The backup's RDB file on local disk.</summary>
    public static string BackupFilePath(string dataDirectory, string instanceId, string backupId)
    {
        string folder = Path.Combine(dataDirectory, "backups", Project, instanceId, backupId);
        return Directory.GetFiles(folder, "*.rdb").Single();
    }

    public void Dispose()
    {
        Client.Dispose();
        GC.SuppressFinalize(this);
    }
}
