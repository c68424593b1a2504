using System.CommandLine;
using Dcsd.Cli.Client;
using Dcsd.Cli.Serve;
using Dcsd.Service.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Dcsd.Service.Hosting;

namespace Dcsd.Cli.Demo;

/// <summary>
/// `dcs demo`: starts dcsd on the embedded defaults, creates a master/standby instance, fills it, backs it up with the
/// seed's own request, shows the record and the single-node refusal, then keeps dcsd running until Ctrl-C.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT for dcsd", DefaultValueFactory = _ => ListenAddress.Default };
        var data = new Option<string>("--data") { Description = "data directory", DefaultValueFactory = _ => ".dcs" };
        var exit = new Option<bool>("--exit") { Description = "stop dcsd when the walkthrough is done instead of waiting for Ctrl-C" };
        var command = new Command("demo", "Walk through the seed: back up a master/standby instance through the DCS API") { listen, data, exit };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string url = ListenAddress.ToUrl(parseResult.GetValue(listen)!);
            var app = DcsdHost.Build(
                url,
                new Dictionary<string, string?> { [DcsdSettings.DataDirectoryKey] = parseResult.GetValue(data) },
                logging => logging.SetMinimumLevel(LogLevel.Warning));
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var credential = await DcsdCredentials.CreateAsync(parseResult.GetValue(data)!, DemoWalkthrough.ProjectId, cancellationToken).ConfigureAwait(false);
                AnsiConsole.MarkupLineInterpolated($"[bold]Credential for project {credential.ProjectId}[/] (every request below is signed with it, SDK-HMAC-SHA256):");
                AnsiConsole.WriteLine($"   access_key: {credential.AccessKey}");
                AnsiConsole.WriteLine($"   secret_key: {credential.SecretKey}");
                using var client = DcsApiClient.Create(new Uri(url), credential, TimeSpan.FromMinutes(5));
                var (instanceId, _) = await new DemoWalkthrough(client, AnsiConsole.Console).RunAsync(cancellationToken).ConfigureAwait(false);
                AnsiConsole.MarkupLineInterpolated($"\n[green]dcsd is running at {url}[/] (data in {Path.GetFullPath(parseResult.GetValue(data)!)}). Press Ctrl-C to stop.");
                AnsiConsole.MarkupLineInterpolated($"[bold]Console:[/] {url}/console/ (sign in with the access key and secret key above)");
                AnsiConsole.MarkupLine("[bold]CLI[/] (from another terminal):");
                AnsiConsole.WriteLine($"   ./dcs login --endpoint {url} --project {credential.ProjectId} --access-key {credential.AccessKey}   # asks for the secret key");
                AnsiConsole.WriteLine($"   ./dcs backups create --instance {instanceId} --wait");
                if (!parseResult.GetValue(exit))
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: fall through to a clean stop.
            }
            finally
            {
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}
