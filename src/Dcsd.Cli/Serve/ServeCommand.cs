using System.CommandLine;
using Dcsd.Service.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Dcsd.Cli.Serve;

/// <summary>`dcs serve`: runs dcsd in the foreground until Ctrl-C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT to serve the DCS API on", DefaultValueFactory = _ => ListenAddress.Default };
        var data = new Option<string?>("--data") { Description = $"data directory (SQLite metadata, backups, local instances; default .dcs, or {DcsdSettings.EnvironmentName(DcsdSettings.DataDirectoryKey)})" };
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
        var set = new Option<string[]>("--set")
        {
            Description = "a setting as KEY=VALUE (e.g. Dcsd:MaxConcurrentJobs=4); repeatable; overrides appsettings.json and DCS_ variables",
            AllowMultipleArgumentsPerToken = false,
        };
        set.Validators.Add(result =>
        {
            foreach (string pair in result.GetValue(set) ?? [])
            {
                if (!pair.Contains('=', StringComparison.Ordinal))
                {
                    result.AddError($"--set {pair}: expected KEY=VALUE");
                }
            }
        });
        var command = new Command("serve", "Run dcsd in the foreground.\n\n" + SettingsHelp()) { listen, data, clusterWritePause, set };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (string pair in parseResult.GetValue(set) ?? [])
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                settings[pair[..eq].Trim()] = pair[(eq + 1)..];
            }

            if (parseResult.GetValue(data) is { } directory)
            {
                settings[DcsdSettings.DataDirectoryKey] = directory;
            }

            if (parseResult.GetValue(clusterWritePause) is { } ms)
            {
                settings["Dcsd:ClusterWritePause"] = TimeSpan.FromMilliseconds(ms).ToString("c");
            }

            WebApplication app;
            try
            {
                app = DcsdHost.Build(ListenAddress.ToUrl(parseResult.GetValue(listen)!), settings);
            }
            catch (DcsdSettingsException ex)
            {
                await Console.Error.WriteLineAsync("dcs serve: " + ex.Message).ConfigureAwait(false);
                return 2;
            }

            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(app, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static string SettingsHelp()
    {
        var text = new System.Text.StringBuilder(
            $"Settings (lowest precedence first: defaults, {DcsdSettings.SettingsFileName} in the data directory, environment " +
            $"variables {DcsdSettings.EnvironmentPrefix}<Section>__<Name>, then --set and the flags below):\n");
        foreach (var (key, description) in DcsdSettings.All)
        {
            text.Append("  ").Append(key.PadRight(32)).Append(' ').Append(description).Append('\n');
            text.Append("  ").Append(' ', 33).Append(DcsdSettings.EnvironmentName(key)).Append('\n');
        }

        return text.ToString().TrimEnd();
    }
}
