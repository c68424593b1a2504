using System.CommandLine;
using System.Text.Json.Nodes;
using Dcsd.Cli.Client;

namespace Dcsd.Cli.Restores;

/// <summary>`dcs restores list|create --instance ID` over the DCS restore API (v2).</summary>
internal static class RestoresCommand
{
    private static readonly RecordTable Table = new(
        ("ID", r => RecordTable.Text(r, "restore_id")),
        ("NAME", r => RecordTable.Text(r, "restore_name")),
        ("BACKUP", r => RecordTable.Text(r, "backup_name")),
        ("STATUS", r => RecordTable.Text(r, "status")),
        ("PROGRESS", r => RecordTable.Text(r, "progress") + "%"),
        ("ENGINE", r => RecordTable.Text(r, "engine")),
        ("ERROR", r => RecordTable.Text(r, "error_code")),
        ("CREATED", r => RecordTable.Time(r, "created_at")));

    public static Command Create() => new("restores", "List and start restores of an instance")
    {
        List(), CreateRestore(),
    };

    private static Command List()
    {
        var json = ClientCommand.JsonOption();
        var instance = ClientCommand.InstanceOption();
        var command = new Command("list", "List an instance's restores, newest first") { instance, json };
        command.SetClientAction(async (session, parseResult, cancellationToken) =>
        {
            var reply = await session.GetAsync($"instances/{parseResult.GetValue(instance)}/restores?limit=1000", cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(json))
            {
                ClientCommand.PrintRaw(reply);
            }
            else
            {
                Table.Write(reply.Json!["restore_record_response"]!.AsArray(), "No restores.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateRestore()
    {
        var json = ClientCommand.JsonOption();
        var wait = ClientCommand.WaitOption("restore");
        var instance = ClientCommand.InstanceOption();
        var backup = new Option<string>("--backup", "-b") { Description = "the backup to put back (its data replaces the instance's)", Required = true };
        var remark = new Option<string?>("--remark") { Description = "a remark kept with the restore" };
        var command = new Command("create", "Restore a backup into its instance: the instance's data becomes exactly the backup's") { instance, backup, remark, wait, json };
        command.SetClientAction(async (session, parseResult, cancellationToken) =>
        {
            string instanceId = parseResult.GetValue(instance)!;
            var body = new JsonObject { ["backup_id"] = parseResult.GetValue(backup) };
            if (parseResult.GetValue(remark) is { } text)
            {
                body["remark"] = text;
            }

            var reply = await session.PostAsync($"instances/{instanceId}/restores", body, cancellationToken).ConfigureAwait(false);
            string restoreId = (string)reply.Json!["restore_id"]!;
            bool asJson = parseResult.GetValue(json);
            if (!parseResult.GetValue(wait))
            {
                CreateOutput.WriteCreated(reply, asJson, $"Restore {restoreId} of instance {instanceId} started.");
                return ExitCodes.Ok;
            }

            var waiter = new JobWaiter($"restore {restoreId}", ct => FindAsync(session, instanceId, restoreId, ct), JobWaiter.RecordFinal);
            var record = await waiter.WaitAsync(asJson, cancellationToken).ConfigureAwait(false);
            return CreateOutput.Finish(record, asJson, "succeed", WriteRestore);
        });
        return command;
    }

    private static void WriteRestore(JsonNode restore) => RecordTable.WriteFields(
        restore,
        ("id", r => RecordTable.Text(r, "restore_id")),
        ("name", r => RecordTable.Text(r, "restore_name")),
        ("backup", r => $"{RecordTable.Text(r, "backup_name")} ({RecordTable.Text(r, "backup_id")})"),
        ("status", r => RecordTable.Text(r, "status") is "failed" ? $"failed ({RecordTable.Text(r, "error_code")})" : RecordTable.Text(r, "status")),
        ("engine", r => RecordTable.Text(r, "engine")),
        ("created", r => RecordTable.Time(r, "created_at")));

    private static async Task<JsonNode> FindAsync(ClientSession session, string instanceId, string restoreId, CancellationToken cancellationToken)
    {
        var reply = await session.GetAsync($"instances/{instanceId}/restores?limit=1000", cancellationToken).ConfigureAwait(false);
        return reply.Json!["restore_record_response"]!.AsArray().FirstOrDefault(r => (string?)r?["restore_id"] == restoreId)
            ?? throw new InvalidOperationException($"restore {restoreId} is not in the list of instance {instanceId}");
    }
}
