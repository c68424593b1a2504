using Dcsd.Redis.Protocol;
using Dcsd.Service.Jobs;
using Dcsd.Service.Http;
using Dcsd.Service.Http.Backups;
using Dcsd.Service.Http.Instances;
using Dcsd.Service.Http.Imports;
using Dcsd.Service.Http.Restores;
using Dcsd.Service.Http.WebConsole;
using Dcsd.Service.Backups;
using Dcsd.Service.Instances;
using Dcsd.Service.Imports;
using Dcsd.Service.Observability;
using Dcsd.Service.Restores;
using Dcsd.Service.Security;
using Dcsd.Service.Persistence;
using Dcsd.Storage;
using Dcsd.Storage.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Dcsd.Service.Http.Iam;
using Dcsd.Service;

namespace Dcsd.Service.Hosting;

/// <summary>Composes dcsd: its settings, services, background workers and the DCS routes.</summary>
public static class DcsdHost
{
    /// <summary>
    /// Builds the dcsd web application listening on <paramref name="listenUrl"/> (e.g. http://127.0.0.1:7480). Settings are bound
    /// from the sources <see cref="DcsdSettings"/> lists, <paramref name="settings"/> ("Dcsd:MaxConcurrentJobs" → "4") last; a bad
    /// value throws <see cref="DcsdSettingsException"/> naming the setting, before anything starts.
    /// <paramref name="configure"/> adjusts the bound options in code (tests).
    /// </summary>
    public static WebApplication Build(
        string listenUrl,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<ILoggingBuilder>? configureLogging = null,
        Action<DcsdOptions>? configure = null)
    {
        settings ??= new Dictionary<string, string?>();
        string dataDirectory = DcsdSettings.ResolveDataDirectory(settings);
        Directory.CreateDirectory(dataDirectory);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = dataDirectory });
        builder.Configuration.Sources.Clear();
        DcsdSettings.AddSources(builder.Configuration, dataDirectory, settings);
        builder.WebHost.UseUrls(listenUrl);
        builder.Logging.ClearProviders();
        builder.AddDcsdObservability();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var services = builder.Services;
        var dcsd = services.AddOptions<DcsdOptions>().BindConfiguration(DcsdOptions.SectionName);
        if (configure is not null)
        {
            dcsd.Configure(configure);
        }

        dcsd.PostConfigure(options => options.DataDirectory = dataDirectory).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DcsdOptions>, DcsdOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        var database = new DcsdDatabase(Path.Combine(dataDirectory, DcsdOptions.DatabaseFileName));
        services.AddSingleton(database);
        services.AddDcsSecurity(security =>
        {
            security.ConnectionString = database.ConnectionString;
            security.KeyFilePath = DcsdCredentials.KeyFilePath(dataDirectory);
        });

        // The body limit is the security core's (a signature covers the whole body); Kestrel enforces the same number.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<DcsSecurityOptions>>(
            (kestrel, security) => kestrel.Limits.MaxRequestBodySize = security.Value.MaxBodyBytes);
        services.AddHostedService<BootstrapCredential>();
        services.AddSingleton<ISecretCipher>(sp => sp.GetRequiredService<SecretProtector>());
        services.AddSingleton<InstanceRepository>();
        services.AddSingleton<BackupRepository>();
        services.AddSingleton<RestoreRepository>();
        services.AddSingleton<MigrationTaskRepository>();
        services.AddSingleton<IBackupStore>(sp => new LocalDiskBackupStore(sp.GetRequiredService<IOptions<DcsdOptions>>().Value.BackupDirectory));

        services.AddSingleton<LocalInstanceProvider>();
        services.AddSingleton<Dcsd.Redis.Protocol.RedisConnections>();
        services.AddSingleton<InstanceTopology>();
        services.AddSingleton<InstanceReadiness>();
        services.AddSingleton<InstanceService>();
        services.AddHostedService<InstanceSupervisor>();

        services.AddSingleton<Dcsd.Redis.Snapshot.SnapshotSourceSelector>();
        services.AddSingleton<JobQueue<BackupRecord>>();
        services.AddSingleton<BackupService>();
        services.AddSingleton<BackupRunner>();
        services.AddSingleton<IJobKind, BackupJobs>();

        services.AddSingleton<BackupLoader>();
        services.AddSingleton<BackupLoadJob>();
        services.AddSingleton<JobQueue<RestoreRecord>>();
        services.AddSingleton<RestoreService>();
        services.AddSingleton<RestoreRunner>();
        services.AddSingleton<IJobKind, RestoreJobs>();

        services.AddSingleton<JobQueue<MigrationTaskRecord>>();
        services.AddSingleton<MigrationTaskService>();
        services.AddSingleton<MigrationTaskRunner>();
        services.AddSingleton<IJobKind, ImportJobs>();

        services.AddHostedService<JobWorker>();

        var app = BuildValidated(builder);
        app.UseDcsErrors();
        app.UseDcsdObservability(listenUrl);
        app.UseDcsConsole();
        app.UseDcsAuthentication();
        app.MapGet("/health", () => Results.Json(new { status = "ok" }));
        app.MapIamTokens();
        app.MapIamProjects();
        app.MapInstances();
        app.MapBackups();
        app.MapRestores();
        app.MapMigrationTasks();
        return app;
    }

    /// <summary>
    /// Builds the application and reads every validated settings class once, so a bad value fails here with one message rather than
    /// half-way through start-up (Kestrel reads the body limit while the application is built).
    /// </summary>
    private static WebApplication BuildValidated(WebApplicationBuilder builder)
    {
        try
        {
            var app = builder.Build();
            _ = app.Services.GetRequiredService<IOptions<DcsdOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<DcsSecurityOptions>>().Value;
            return app;
        }
        catch (OptionsValidationException ex)
        {
            throw new DcsdSettingsException("invalid settings: " + string.Join(" ", ex.Failures), ex);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The binder's message names the key and the type: "Failed to convert configuration value 'abc' at 'Dcsd:MaxConcurrentJobs' to type 'System.Int32'."
            throw new DcsdSettingsException("invalid settings: " + ex.Message, ex);
        }
    }
}
