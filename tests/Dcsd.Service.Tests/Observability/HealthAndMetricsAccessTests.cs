using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Dcsd.Service.Observability;

namespace Dcsd.Service.Tests.Observability;

public sealed class HealthAndMetricsAccessTests
{
    [Fact]
    public async Task Readiness_names_the_storage_check_while_the_backup_directory_cannot_be_written_and_recovers()
    {
        await using var dcsd = await DcsdTestServer.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = dcsd.Client.BaseAddress };
        var (status, ready) = await GetJsonAsync(anonymous, "/health/ready");
        Assert.Equal(200, status);
        Assert.Equal("Healthy", (string)ready["status"]!);
        Assert.Equal(["database", "job_workers", "storage"], ready["checks"]!.AsArray().Select(c => (string)c!["name"]!).Order());

        // Root ignores file modes, so the directory is replaced by a file: nothing can be created under it.
        string backups = Path.Combine(dcsd.DataDirectory, "backups");
        string moved = backups + ".moved";
        Directory.Move(backups, moved);
        await File.WriteAllTextAsync(backups, "not a directory");
        try
        {
            (status, ready) = await GetJsonAsync(anonymous, "/health/ready");
            Assert.Equal(503, status);
            Assert.Equal("Unhealthy", (string)ready["status"]!);
            var checks = ready["checks"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => (string)c!["status"]!);
            Assert.Equal(new Dictionary<string, string> { ["database"] = "Healthy", ["storage"] = "Unhealthy", ["job_workers"] = "Healthy" }, checks);
            Assert.DoesNotContain(dcsd.DataDirectory, ready.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        }
        finally
        {
            File.Delete(backups);
            Directory.Move(moved, backups);
        }

        Assert.Equal(200, (await GetJsonAsync(anonymous, "/health/ready")).Status);
    }

    [Fact]
    public async Task Metrics_are_open_on_loopback_and_need_credentials_or_the_bearer_token_when_configured_so()
    {
        await using (var open = await DcsdTestServer.StartAsync())
        {
            using var anonymous = new HttpClient { BaseAddress = open.Client.BaseAddress };
            var scrape = await anonymous.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
            Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
            Assert.Contains("# TYPE dcsd_jobs_queued gauge", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        const string token = "metrics-bearer-token-0123456789abcdef";
        await using var closed = await DcsdTestServer.StartAsync(configure: options =>
        {
            options.Observability.MetricsAccess = MetricsAccess.Authenticated;
            options.Observability.MetricsBearerToken = token;
        });
        using var client = new HttpClient { BaseAddress = closed.Client.BaseAddress };
        var refused = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("DCS.1003", (string)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error_code"]!);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token + "x");
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrong)).StatusCode);
        }

        using (var bearer = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(bearer)).StatusCode);
        }

        // A signed DCS request is a credential too.
        Assert.Equal(HttpStatusCode.OK, (await closed.Client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    private static async Task<(int Status, JsonNode Body)> GetJsonAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
