using System.CommandLine;
using Dcsd.Service;

namespace Dcsd.Cli.Serve;

/// <summary>`dcs serve`: runs dcsd in the foreground until Ctrl-C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT to serve the DCS API on", DefaultValueFactory = _ => ListenAddress.Default };
        var data = new Option<string>("--data") { Description = "data directory (SQLite metadata, backups, local instances)", DefaultValueFactory = _ => ".dcs" };
        var command = new Command("serve", "Run dcsd in the foreground") { listen, data };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var app = DcsdHost.Build(new DcsdOptions { DataDirectory = parseResult.GetValue(data)! }, ListenAddress.ToUrl(parseResult.GetValue(listen)!));
            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(app, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
