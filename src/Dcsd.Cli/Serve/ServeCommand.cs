using System.CommandLine;
using Dcsd.Service;
using Dcsd.Service.Hosting;

namespace Dcsd.Cli.Serve;

/// <summary>`dcs serve`: runs dcsd in the foreground until Ctrl-C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT to serve the DCS API on", DefaultValueFactory = _ => ListenAddress.Default };
        var data = new Option<string>("--data") { Description = "data directory (SQLite metadata, backups, local instances)", DefaultValueFactory = _ => ".dcs" };
        var clusterWritePause = new Option<int?>("--cluster-write-pause-ms")
        {
            Description = "make cluster backups a consistent cut: pause writes on every master for at most this many ms until every shard's snapshot has started",
        };
        clusterWritePause.Validators.Add(result =>
        {
            if (result.GetValue(clusterWritePause) is <= 0)
            {
                result.AddError("--cluster-write-pause-ms must be a positive number of milliseconds");
            }
        });
        var command = new Command("serve", "Run dcsd in the foreground") { listen, data, clusterWritePause };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = new DcsdOptions
            {
                DataDirectory = parseResult.GetValue(data)!,
                ClusterWritePause = parseResult.GetValue(clusterWritePause) is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            };
            var app = DcsdHost.Build(options, ListenAddress.ToUrl(parseResult.GetValue(listen)!));
            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(app, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
