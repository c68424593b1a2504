using System.CommandLine;
using System.Globalization;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Replication;

// In the root CLI namespace so Program.cs registers it with a single line and no extra using.
namespace Dcsd.Cli;

/// <summary>
/// Hidden <c>dcs snapshot</c>: fetches one RDB over the replication protocol into a file. It is the driver of
/// bench/snapshot-vs-redis-cli and a diagnostic tool, not part of the product's user interface.
/// </summary>
internal static class SnapshotCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Redis host", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Redis port", Required = true };
        var user = new Option<string?>("--user") { Description = "ACL user for AUTH (default user when omitted)" };
        var passwordEnv = new Option<string?>("--password-env")
        {
            Description = "Name of the environment variable holding the password (passwords never go on the command line)",
        };
        var output = new Option<FileInfo>("--out") { Description = "RDB file to write", Required = true };
        var command = new Command("snapshot", "Fetch an RDB snapshot over the replication protocol (like redis-cli --rdb)")
        {
            Hidden = true,
        };
        command.Options.Add(host);
        command.Options.Add(port);
        command.Options.Add(user);
        command.Options.Add(passwordEnv);
        command.Options.Add(output);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string? password = null;
            if (parseResult.GetValue(passwordEnv) is { } variable)
            {
                password = Environment.GetEnvironmentVariable(variable);
                if (password is null)
                {
                    await Console.Error.WriteLineAsync($"environment variable {variable} is not set").ConfigureAwait(false);
                    return 2;
                }
            }

            var source = new SnapshotSource
            {
                Host = parseResult.GetValue(host)!,
                Port = parseResult.GetValue(port),
                User = parseResult.GetValue(user),
                Password = password,
            };
            return await RunAsync(source, parseResult.GetValue(output)!, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(SnapshotSource source, FileInfo output, CancellationToken cancellationToken)
    {
        // Written beside the target and renamed only once complete and verified, so a failed fetch never
        // leaves something that looks like a good snapshot.
        string partial = output.FullName + ".partial";
        try
        {
            SnapshotResult result;
            var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                result = await ReplicationSnapshotClient.FetchAsync(source, file, bytesReceived: null, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            File.Move(partial, output.FullName, overwrite: true);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{output.FullName}: {result.Bytes} bytes, RDB v{result.RdbVersion}, {result.Mode}, crc64 {(result.ChecksumPresent ? "verified" : "absent")}, sha256 {result.Sha256Hex}, {result.Elapsed.TotalMilliseconds:F0} ms"));
            return 0;
        }
        catch (RedisFailureException ex)
        {
            File.Delete(partial);
            await Console.Error.WriteLineAsync($"snapshot failed ({ex.Kind}): {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            File.Delete(partial);
            throw;
        }
    }
}
