using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dcsd.Service.Http;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Dcsd.Service.Observability;

/// <summary>
/// dcsd's observability, wired in two calls: <see cref="AddDcsdObservability"/> on the builder and <see cref="UseDcsdObservability"/>
/// between the error pipeline and authentication. Metrics go through OpenTelemetry: instruments are plain
/// System.Diagnostics.Metrics (no exporter type in the job code), ASP.NET Core's own meters give the API requests, and the
/// Prometheus exporter writes the exposition format.
/// </summary>
internal static class ObservabilityExtensions
{
    public const string MetricsPath = "/metrics";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string ReadyTag = "ready";
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    private static readonly Func<ILogger, string, IDisposable?> RequestScope = LoggerMessage.DefineScope<string>("Request {RequestId}");

    /// <summary>
    /// Metrics, health checks and the console log format. The settings are <see cref="DcsdOptions.Observability"/>, bound and
    /// validated with the rest; only the log format is read here, since logging is set up before the options exist.
    /// </summary>
    public static void AddDcsdObservability(this WebApplicationBuilder builder)
    {
        var logFormat = builder.Configuration.GetSection(ObservabilityOptions.SectionName).GetValue(nameof(ObservabilityOptions.LogFormat), LogFormat.Text);
        if (logFormat == LogFormat.Json)
        {
            builder.Logging.AddJsonConsole(console =>
            {
                console.IncludeScopes = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
                console.UseUtcTimestamp = true;
            });
        }

        // ASP.NET Core's own per-request scope carries its connection-based trace id; the scope dcsd adds carries X-Request-Id.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        // A failing check logs its own reason once (event 6000); the health service would add a second line per probe.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);

        var services = builder.Services;
        services.AddSingleton<FleetStatistics>();
        services.AddSingleton<DcsdMetrics>();
        services.AddSingleton<JobTelemetry>();
        // One dcsd per process: the SDK listens to meters by name, so in-process test servers would see each other's.
        services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("dcsd")).WithMetrics(metrics => metrics
            .AddMeter(DcsdMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "System.Runtime")
            .AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0));
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>(DatabaseHealthCheck.Name, tags: [ReadyTag], timeout: CheckTimeout)
            .AddCheck<StorageHealthCheck>(StorageHealthCheck.Name, tags: [ReadyTag], timeout: CheckTimeout)
            .AddCheck<JobWorkersHealthCheck>(JobWorkersHealthCheck.Name, tags: [ReadyTag], timeout: CheckTimeout);
    }

    /// <summary>
    /// Request log scope and authentication-failure counts for every request; the health endpoints (open to all, as probes
    /// are); and <c>/metrics</c>: open here when <see cref="MetricsAccess"/> allows it or the bearer token matches, otherwise
    /// an endpoint behind DCS authentication.
    /// </summary>
    public static void UseDcsdObservability(this WebApplication app, string listenUrl)
    {
        var options = app.Services.GetRequiredService<IOptions<DcsdOptions>>().Value.Observability;
        var metrics = app.Services.GetRequiredService<DcsdMetrics>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Dcsd.Api");
        app.Use(async (context, next) =>
        {
            using (RequestScope(logger, context.Response.Headers["X-Request-Id"].ToString()))
            {
                await next(context).ConfigureAwait(false);
            }

            if (context.Features.Get<DcsAuthenticationFailure>() is { } failure)
            {
                metrics.AuthenticationFailures.Add(1, new KeyValuePair<string, object?>("code", failure.Code));
            }
        });

        app.UseHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync });
        app.UseHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = HealthResponse.WriteAsync });

        bool anonymous = options.MetricsAccess == MetricsAccess.Anonymous
            || (options.MetricsAccess == MetricsAccess.Auto && IsLoopback(listenUrl));
        byte[]? bearer = options.MetricsBearerToken is { } token ? Encoding.UTF8.GetBytes("Bearer " + token) : null;
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path.Equals(MetricsPath, StringComparison.Ordinal)
            && (anonymous || (bearer is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString()), bearer))));
        app.MapPrometheusScrapingEndpoint(MetricsPath);
    }

    private static bool IsLoopback(string listenUrl)
    {
        string host = new Uri(listenUrl).Host;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
