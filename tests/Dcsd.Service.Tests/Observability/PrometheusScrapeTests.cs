using System.Globalization;
using System.Net;
using Dcsd.Testing;
using Xunit.Abstractions;

namespace Dcsd.Service.Tests.Observability;

/// <summary>
/// A real Prometheus scrapes a real dcsd while backups succeed and fail and a restore runs; the test reads what Prometheus stored.
/// dcsd runs as its own process (`dcs serve`): metrics are per process, and in-process test servers share this one.
/// </summary>
public sealed class PrometheusScrapeTests(ITestOutputHelper output)
{
    private const string P = DcsTestClient.Project;
    private const string Password = "metrics-password-1";

    [Fact]
    public async Task Prometheus_sees_backup_and_restore_outcomes_durations_and_the_age_of_the_last_good_backup()
    {
        using var data = new TempDirectory("dcsd-data");
        await using var dcsd = await DcsdProcess.StartAsync(data.Path);
        await using var prometheus = await PrometheusServer.StartAsync(dcsd.Client.BaseAddress!.Authority);
        var master = await TestRedis.StartAsync(Password);
        var standby = await TestRedis.StartReplicaAsync(master);
        bool stopped = false;
        async Task StopSourceAsync()
        {
            if (!stopped)
            {
                stopped = true;
                await standby.DisposeAsync();
                await master.DisposeAsync();
            }
        }

        try
        {
            await RunAsync(dcsd, prometheus, master, StopSourceAsync);
        }
        finally
        {
            await StopSourceAsync();
        }
    }

    private async Task RunAsync(DcsdProcess dcsd, PrometheusServer prometheus, TestRedis master, Func<Task> stopSource)
    {
        await SampleData.WriteEveryTypeAsync(master.Connection);

        // An adopted master/standby pair: dcsd never restarts its nodes, so stopping them makes a backup fail for real.
        var created = await dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances", $$$"""
            {"name":"watched","engine":"Redis","spec_code":"redis.ha.xu1.large.r2.1","adopt":{"nodes":["127.0.0.1:{{{master.Port}}}"],"password":"{{{Password}}}"}}
            """);
        string id = (string)created["instances"]![0]!["instance_id"]!;
        string instance = $"instance_id=\"{id}\"";
        string age = $"dcsd_backup_last_success_age_seconds{{{instance}}}";
        Assert.Equal(1, await prometheus.WaitAsync($"dcsd_instances{{status=\"RUNNING\",cache_mode=\"ha\"}}", v => v == 1));

        // With no backup yet the age counts from the instance's creation, and grows.
        double ageBeforeAnyBackup = await prometheus.WaitAsync(age, v => v >= 2);

        var first = await dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        var firstRecord = await dcsd.WaitBackupAsync(id, (string)first["backup_id"]!);
        Assert.Equal("succeed", (string)firstRecord["status"]!);
        var succeededAt = DateTime.UtcNow;
        Assert.Equal(1, await prometheus.WaitAsync($"dcsd_backups_finished_total{{{instance},kind=\"manual\",outcome=\"succeed\"}}", v => v == 1));
        double ageAfterSuccess = await prometheus.WaitAsync(age, v => v < ageBeforeAnyBackup && v < 5);
        Assert.Equal((double)(long)firstRecord["size"]!, await prometheus.WaitAsync($"dcsd_backup_size_bytes_sum{{{instance}}}", v => v > 0));
        Assert.True(await prometheus.QueryAsync($"dcsd_backup_transfer_rate_bytes_per_second_count{{{instance}}}") == 1);

        var restore = await dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/restores", $$"""{"backup_id":"{{first["backup_id"]}}"}""");
        Assert.Equal("succeed", (string)(await dcsd.WaitRestoreAsync(id, (string)restore["restore_id"]!))["status"]!);
        Assert.Equal(1, await prometheus.WaitAsync($"dcsd_restores_finished_total{{{instance},kind=\"restore\",outcome=\"succeed\"}}", v => v == 1));
        Assert.Equal(1, await prometheus.WaitAsync($"dcsd_restore_duration_seconds_count{{{instance},kind=\"restore\",outcome=\"succeed\"}}", v => v == 1));
        Assert.Equal(1, await prometheus.QueryAsync($"dcsd_restores_started_total{{{instance},kind=\"restore\"}}"));

        // The source goes away: the next backup fails, and the age keeps counting from the last good one.
        await stopSource();
        var second = await dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{id}/backups", "{}");
        var secondRecord = await dcsd.WaitBackupAsync(id, (string)second["backup_id"]!);
        Assert.Equal(("failed", "dcs.08.0001"), ((string)secondRecord["status"]!, (string)secondRecord["error_code"]!));
        Assert.Equal(1, await prometheus.WaitAsync($"dcsd_backups_finished_total{{{instance},outcome=\"failed\",error_code=\"dcs.08.0001\"}}", v => v == 1));
        Assert.Equal(2, await prometheus.WaitAsync($"sum(dcsd_backup_duration_seconds_count{{{instance}}})", v => v == 2));
        Assert.Equal(2, await prometheus.QueryAsync($"dcsd_backups_started_total{{{instance},kind=\"manual\"}}"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        double sinceSuccess = (DateTime.UtcNow - succeededAt).TotalSeconds;
        double ageAfterFailure = await prometheus.WaitAsync(age, v => v >= sinceSuccess - 2);
        Assert.True(ageAfterFailure > ageAfterSuccess, $"age {ageAfterFailure} after the failure, {ageAfterSuccess} after the success");
        Assert.True(ageAfterFailure <= sinceSuccess + 2, $"age {ageAfterFailure}, the success was {sinceSuccess} s ago");

        // Nothing left running or queued; the API requests are there by route template, method and status.
        Assert.Equal(0, await prometheus.WaitAsync("sum(dcsd_jobs_running)", v => v == 0));
        Assert.Equal(0, await prometheus.QueryAsync("sum(dcsd_jobs_queued)"));
        Assert.Equal(2, await prometheus.WaitAsync(
            "http_server_request_duration_seconds_count{http_route=\"/v2/{projectId}/instances/{instanceId}/backups/\",http_request_method=\"POST\",http_response_status_code=\"200\"}",
            v => v == 2));

        // A request without credentials is counted by its DCS code.
        using (var anonymous = new HttpClient { BaseAddress = dcsd.Client.BaseAddress })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v2/{P}/instances")).StatusCode);
        }

        Assert.Equal(1, await prometheus.WaitAsync("dcsd_auth_failures_total{code=\"DCS.1003\"}", v => v == 1));

        string report = string.Join("; ", (await prometheus.QueryAllAsync("dcsd_backups_finished_total")).Select(r => string.Join(",", r.Labels.Where(l => l.Key is "outcome" or "error_code").Select(l => l.Key + "=" + l.Value)) + " " + r.Value.ToString(CultureInfo.InvariantCulture)));
        output.WriteLine($"PromQL dcsd_backups_finished_total -> {report}; {age} -> {ageAfterFailure.ToString(CultureInfo.InvariantCulture)}");
    }
}
