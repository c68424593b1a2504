using Dcsd.Service;
using Dcsd.Service.Security;
using Dcsd.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Dcsd.Service.Hosting;

namespace Dcsd.Service.Tests;

/// <summary>A real dcsd (Kestrel on a free loopback port, SQLite and local disk in a temp directory) and a client for it.</summary>
public sealed class DcsdTestServer : DcsTestClient, IAsyncDisposable
{

    private readonly WebApplication _app;
    private readonly TempDirectory? _ownedDirectory;

    private DcsdTestServer(WebApplication app, string dataDirectory, TempDirectory? ownedDirectory, HttpClient client)
        : base(client)
    {
        _app = app;
        DataDirectory = dataDirectory;
        _ownedDirectory = ownedDirectory;
    }

    public string DataDirectory { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<DcsdTestServer> StartAsync(string? dataDirectory = null, Action<DcsdOptions>? configure = null)
    {
        TempDirectory? owned = dataDirectory is null ? new TempDirectory("dcsd-data") : null;
        string directory = dataDirectory ?? owned!.Path;
        var credential = await DcsdCredentials.CreateAsync(directory, Project);
        var options = new DcsdOptions { DataDirectory = directory };
        configure?.Invoke(options);
        var app = DcsdHost.Build(options, "http://127.0.0.1:0", logging => logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient(new TestSigningHandler(credential)) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
        return new DcsdTestServer(app, directory, owned, client);
    }

    public string BackupFilePath(string instanceId, string backupId) => BackupFilePath(DataDirectory, instanceId, backupId);

    public async ValueTask DisposeAsync()
    {
        Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _ownedDirectory?.Dispose();
    }
}
