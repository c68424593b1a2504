using System.CommandLine;
using System.Globalization;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Restore;

// In the root CLI namespace so Program.cs registers it with one line.
namespace Dcsd.Cli;

/// <summary>
/// <c>dcs restore-file</c> (hidden; for benchmarks and manual checks): restores an RDB file into a running Redis with
/// one of the two engines, or writes the RESTORE engine's commands as RESP for <c>redis-cli --pipe</c>.
/// The password comes from DCS_RESTORE_PASSWORD, never from the command line (which other users can read).
/// </summary>
internal static class RestoreFileCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo>("--file") { Description = "RDB file to restore", Required = true };
        var host = new Option<string>("--host") { Description = "Target host", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Target port (not needed with --emit-resp)" };
        var engine = new Option<string>("--engine") { Description = "replication, restore, or auto (the selector's choice)", DefaultValueFactory = _ => "auto" };
        engine.AcceptOnlyFromAmong("auto", "replication", "restore");
        var emitResp = new Option<FileInfo?>("--emit-resp") { Description = "Write the RESTORE engine's commands as RESP to this file instead of restoring" };
        var targetRdb = new Option<int?>("--target-rdb-version") { Description = "With --emit-resp: RDB version of the target (default: the file's)" };
        var restoreOnly = new Option<bool>("--restore-only") { Description = "RESTORE engine: one RESTORE per key, no MSET batches of plain strings (for comparison)" };

        var command = new Command("restore-file", "Restore an RDB file into a running Redis (benchmark and diagnostics tool)") { Hidden = true };
        command.Options.Add(file);
        command.Options.Add(host);
        command.Options.Add(port);
        command.Options.Add(engine);
        command.Options.Add(emitResp);
        command.Options.Add(targetRdb);
        command.Options.Add(restoreOnly);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            FileInfo rdb = parseResult.GetValue(file)!;
            var options = new CommandRestoreOptions { BatchPlainStrings = !parseResult.GetValue(restoreOnly) };
            try
            {
                if (parseResult.GetValue(emitResp) is { } output)
                {
                    return await EmitAsync(rdb, output, parseResult.GetValue(targetRdb), options, cancellationToken).ConfigureAwait(false);
                }

                var target = new RestoreTarget
                {
                    Host = parseResult.GetValue(host)!,
                    Port = parseResult.GetValue(port),
                    Password = Environment.GetEnvironmentVariable("DCS_RESTORE_PASSWORD") is { Length: > 0 } password ? password : null,
                };
                return await RestoreAsync(rdb, target, parseResult.GetValue(engine)!, options, cancellationToken).ConfigureAwait(false);
            }
            catch (RedisFailureException e)
            {
                await Console.Error.WriteLineAsync($"restore failed ({e.Kind}): {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"{rdb.Name}: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static async Task<int> RestoreAsync(FileInfo rdb, RestoreTarget target, string engine, CommandRestoreOptions options, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(rdb.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        var header = new byte[9];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        stream.Position = 0;
        RestoreEngineKind kind = engine switch
        {
            "replication" => RestoreEngineKind.Replication,
            "restore" => RestoreEngineKind.RestoreCommands,
            _ => await RestoreEngineSelector.ChooseAsync(target, RestoreEngineSelector.ReadFileRdbVersion(header), cancellationToken).ConfigureAwait(false),
        };
        RestoreResult result = kind == RestoreEngineKind.Replication
            ? await ReplicationRestore.RunAsync(stream, stream.Length, target, null, cancellationToken).ConfigureAwait(false)
            : await CommandRestore.RunAsync(stream, target, options, null, cancellationToken).ConfigureAwait(false);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"OK {result.Engine}: {result.Keys} keys, {result.Bytes} bytes in {result.Elapsed.TotalSeconds:F3} s"));
        return 0;
    }

    private static async Task<int> EmitAsync(FileInfo rdb, FileInfo output, int? targetRdbVersion, CommandRestoreOptions options, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(rdb.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        var header = new byte[9];
        await input.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        input.Position = 0;
        await using var resp = new FileStream(output.FullName, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        long keys = await CommandRestore.WriteRespAsync(input, resp, targetRdbVersion ?? RestoreEngineSelector.ReadFileRdbVersion(header), options, cancellationToken).ConfigureAwait(false);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"OK {keys} keys written as RESP to {output.FullName} ({resp.Length} bytes)"));
        return 0;
    }
}
