using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dcsd.Service;
using Dcsd.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Tests;

/// <summary>A real dcsd (Kestrel on a free loopback port, SQLite and local disk in a temp directory) and a client for it.</summary>
public sealed class DcsdTestServer : IAsyncDisposable
{
    public const string Project = "0123456789abcdef0123456789abcdef";

    private readonly WebApplication _app;
    private readonly TempDirectory? _ownedDirectory;

    private DcsdTestServer(WebApplication app, string dataDirectory, TempDirectory? ownedDirectory, HttpClient client)
    {
        _app = app;
        DataDirectory = dataDirectory;
        _ownedDirectory = ownedDirectory;
        Client = client;
    }

    public HttpClient Client { get; }

    public string DataDirectory { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<DcsdTestServer> StartAsync(string? dataDirectory = null)
    {
        TempDirectory? owned = dataDirectory is null ? new TempDirectory("dcsd-data") : null;
        string directory = dataDirectory ?? owned!.Path;
        var app = DcsdHost.Build(new DcsdOptions { DataDirectory = directory }, "http://127.0.0.1:0", logging => logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
        return new DcsdTestServer(app, directory, owned, client);
    }

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

    public async Task<JsonNode> WaitInstanceAsync(string instanceId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
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

    /// <summary>The backup's RDB file on local disk, from its manifest.</summary>
    public string BackupFilePath(string instanceId, string backupId)
    {
        string folder = Path.Combine(DataDirectory, "backups", Project, instanceId, backupId);
        return Directory.GetFiles(folder, "*.rdb").Single();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _ownedDirectory?.Dispose();
    }
}
