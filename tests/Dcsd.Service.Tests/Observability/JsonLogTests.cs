using System.Net;
using System.Text.Json.Nodes;
using Dcsd.Testing;

namespace Dcsd.Service.Tests.Observability;

/// <summary>`dcs serve` with JSON logs: one object a line, and the scopes that let a request or a backup be followed.</summary>
public sealed class JsonLogTests
{
    private const string P = DcsTestClient.Project;
    private const string Password = "json-log-password-1";

    [Fact]
    public async Task Json_lines_carry_the_request_id_and_the_backup_and_instance_ids_as_scopes()
    {
        using var data = new TempDirectory("dcsd-data");
        await using var dcsd = await DcsdProcess.StartAsync(data.Path, environment: new Dictionary<string, string> { ["DCS_Dcsd__Observability__LogFormat"] = "Json" });
        await using var master = await TestRedis.StartAsync(Password);
        await using var standby = await TestRedis.StartReplicaAsync(master);

        using (var anonymous = new HttpClient { BaseAddress = dcsd.Client.BaseAddress })
        {
            var refused = await anonymous.GetAsync($"/v2/{P}/instances");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            string requestId = refused.Headers.GetValues("X-Request-Id").Single();
            var line = await WaitForLineAsync(dcsd, 7003);
            Assert.Contains(Scopes(line), scope => (string?)scope["RequestId"] == requestId);
        }

        var created = await dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances", $$$"""
            {"name":"logged","engine":"Redis","adopt":{"nodes":["127.0.0.1:{{{master.Port}}}"],"password":"{{{Password}}}"}}
            """);
        string instanceId = (string)created["instances"]![0]!["instance_id"]!;
        var backup = await dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{instanceId}/backups", "{}");
        string backupId = (string)backup["backup_id"]!;
        Assert.Equal("succeed", (string)(await dcsd.WaitBackupAsync(instanceId, backupId))["status"]!);

        var succeeded = await WaitForLineAsync(dcsd, 2001);
        Assert.Equal("Information", (string)succeeded["LogLevel"]!);
        Assert.Contains(Scopes(succeeded), scope => (string?)scope["BackupId"] == backupId && (string?)scope["InstanceId"] == instanceId);
        Assert.All(dcsd.Output, line => Assert.DoesNotContain(Password, line, StringComparison.Ordinal));
    }

    private static IEnumerable<JsonObject> Scopes(JsonNode line) => line["Scopes"]!.AsArray().OfType<JsonObject>();

    private static async Task<JsonNode> WaitForLineAsync(DcsdProcess dcsd, int eventId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            // Every line must be JSON; the one wanted may not be written yet.
            var lines = dcsd.Output.Select(line => JsonNode.Parse(line)!).ToList();
            if (lines.FirstOrDefault(line => (int)line["EventId"]! == eventId) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no log line with event {eventId} in:\n{string.Join('\n', dcsd.Output)}");
            await Task.Delay(100);
        }
    }
}
