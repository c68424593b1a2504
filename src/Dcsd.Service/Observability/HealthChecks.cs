using System.Text.Json;
using Dcsd.Service.Persistence;
using Dcsd.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dcsd.Service.Observability;

/// <summary>The metadata database answers a query on its tables.</summary>
internal sealed class DatabaseHealthCheck(DcsdDatabase database, ILogger<DatabaseHealthCheck> logger) : IHealthCheck
{
    public const string Name = "database";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.Command("SELECT COUNT(*) FROM instances");
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("the metadata database answers");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HealthCheckFailed(logger, ex, Name);
            return HealthCheckResult.Unhealthy("the metadata database does not answer");
        }
    }
}

/// <summary>The backup store takes a file: a small probe is written, committed and deleted, as a backup's files are.</summary>
internal sealed class StorageHealthCheck(IBackupStore store, ILogger<StorageHealthCheck> logger) : IHealthCheck
{
    public const string Name = "storage";

    /// <summary>Not a project id (those are 32 hex digits), so a probe never lands among backups.</summary>
    private const string ProbePrefix = "_dcsd-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string prefix = ProbePrefix + "/" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var writer = await store.CreateAsync(prefix + "/probe", cancellationToken).ConfigureAwait(false))
            {
                await writer.Stream.WriteAsync("ok"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                await writer.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            await store.DeletePrefixAsync(prefix, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("the backup store takes files");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HealthCheckFailed(logger, ex, Name);
            return HealthCheckResult.Unhealthy("the backup store cannot be written");
        }
    }
}

/// <summary>The job worker is running: started, and its loop has not ended (a crashed worker would leave jobs waiting forever).</summary>
internal sealed class JobWorkersHealthCheck(IEnumerable<IHostedService> hostedServices) : IHealthCheck
{
    public const string Name = "job_workers";

    private static readonly Type[] Workers = [typeof(Jobs.JobWorker)];

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stopped = Workers
            .Where(type => hostedServices.OfType<BackgroundService>().FirstOrDefault(type.IsInstanceOfType) is not { ExecuteTask: { IsCompleted: false } })
            .Select(type => type.Name)
            .ToList();
        return Task.FromResult(stopped.Count == 0
            ? HealthCheckResult.Healthy("every job worker runs")
            : HealthCheckResult.Unhealthy("not running: " + string.Join(", ", stopped)));
    }
}

/// <summary>{"status":"Unhealthy","checks":[{"name":"storage","status":"Unhealthy","description":"..."}]}: which check failed, in words, never an exception's text.</summary>
internal static class HealthResponse
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartArray("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("description", entry.Description);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
