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
using Dcsd.Service.Restores;
using Dcsd.Service.Security;
using Dcsd.Service.Persistence;
using Dcsd.Storage;
using Dcsd.Storage.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Dcsd.Service.Http.Iam;
using Dcsd.Service;

namespace Dcsd.Service.Hosting;

/// <summary>Composes dcsd: its services, background workers and the DCS routes.</summary>
public static class DcsdHost
{
    public const int MaxRequestBodyBytes = 12 * 1024 * 1024;

    /// <summary>Builds the dcsd web application listening on <paramref name="listenUrl"/> (e.g. http://127.0.0.1:7480).</summary>
    public static WebApplication Build(DcsdOptions options, string listenUrl, Action<ILoggingBuilder>? configureLogging = null)
    {
        options.DataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(options.DataDirectory);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(listenUrl);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
            console.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var services = builder.Services;
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(TimeProvider.System);
        var database = new DcsdDatabase(options.DatabasePath);
        services.AddSingleton(database);
        services.AddDcsSecurity(security =>
        {
            security.ConnectionString = database.ConnectionString;
            security.KeyFilePath = DcsdCredentials.KeyFilePath(options.DataDirectory);
            security.RequireAuthentication = options.RequireAuthentication;
        });
        services.AddHostedService<BootstrapCredential>();
        services.AddSingleton<InstanceRepository>();
        services.AddSingleton<BackupRepository>();
        services.AddSingleton<IBackupStore>(new LocalDiskBackupStore(options.BackupDirectory));
        services.AddSingleton<LocalInstanceProvider>();
        services.AddSingleton<RedisAdmin>();
        services.AddSingleton<InstanceTopology>();
        services.AddSingleton<SnapshotSourceSelector>();
        services.AddSingleton<InstanceReadiness>();
        services.AddSingleton<InstanceService>();
        services.AddSingleton<JobQueue<BackupRecord>>();
        services.AddSingleton<JobQueue<RestoreRecord>>();
        services.AddSingleton<BackupService>();
        services.AddSingleton<BackupRunner>();
        services.AddHostedService<InstanceSupervisor>();
        services.AddHostedService<BackupWorker>();
        services.AddSingleton<RestoreRepository>();
        services.AddSingleton<RestoreService>();
        services.AddSingleton<BackupLoader>();
        services.AddSingleton<BackupLoadJob>();
        services.AddSingleton<RestoreRunner>();
        services.AddHostedService<RestoreWorker>();
        services.AddSingleton<JobQueue<MigrationTaskRecord>>();
        services.AddSingleton<MigrationTaskRepository>();
        services.AddSingleton<MigrationTaskService>();
        services.AddSingleton<MigrationTaskRunner>();
        services.AddHostedService<MigrationTaskWorker>();

        var app = builder.Build();
        app.UseDcsErrors();
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
}
