using System.CommandLine;
using System.Text.Json.Nodes;
using Dcsd.Cli.Client;

namespace Dcsd.Cli.Backups;

/// <summary>`dcs backups list|create|delete --instance ID` over the DCS backup API (v2).</summary>
internal static class BackupsCommand
{
    private static readonly RecordTable Table = new(
        ("ID", r => RecordTable.Text(r, "backup_id")),
        ("NAME", r => RecordTable.Text(r, "backup_name")),
        ("STATUS", r => RecordTable.Text(r, "status")),
        ("PROGRESS", r => RecordTable.Text(r, "progress") + "%"),
        ("SIZE", r => RecordTable.Bytes(r, "size")),
        ("KEYS", RecordTable.TotalKeys),
        ("CREATED", r => RecordTable.Time(r, "created_at")),
        ("REMARK", r => RecordTable.Text(r, "remark")));

    public static Command Create() => new("backups", "List, take and delete backups of an instance")
    {
        List(), CreateBackup(), Delete(),
    };

    /// <summary>A backup record by id, from the instance's list (newest first; DCS has no single-backup route).</summary>
    public static async Task<JsonNode> FindAsync(ClientSession session, string instanceId, string backupId, CancellationToken cancellationToken)
    {
        var reply = await session.GetAsync($"instances/{instanceId}/backups?limit=1000", cancellationToken).ConfigureAwait(false);
        return reply.Json!["backup_record_response"]!.AsArray().FirstOrDefault(r => (string?)r?["backup_id"] == backupId)
            ?? throw new InvalidOperationException($"backup {backupId} is not in the list of instance {instanceId}");
    }

    private static Command List()
    {
        var json = ClientCommand.JsonOption();
        var instance = ClientCommand.InstanceOption();
        var limit = new Option<int>("--limit") { Description = "at most this many, newest first", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "List an instance's backups with their status, progress, size and census") { instance, limit, json };
        command.SetClientAction(async (session, parseResult, cancellationToken) =>
        {
            var reply = await session.GetAsync($"instances/{parseResult.GetValue(instance)}/backups?limit={parseResult.GetValue(limit)}", cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(json))
            {
                ClientCommand.PrintRaw(reply);
            }
            else
            {
                Table.Write(reply.Json!["backup_record_response"]!.AsArray(), "No backups.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateBackup()
    {
        var json = ClientCommand.JsonOption();
        var wait = ClientCommand.WaitOption("backup");
        var instance = ClientCommand.InstanceOption();
        var remark = new Option<string?>("--remark") { Description = "a remark kept with the backup (at most 128 characters)" };
        var command = new Command("create", "Back up an instance now") { instance, remark, wait, json };
        command.SetClientAction(async (session, parseResult, cancellationToken) =>
        {
            string instanceId = parseResult.GetValue(instance)!;
            var body = new JsonObject { ["backup_format"] = "rdb" };
            if (parseResult.GetValue(remark) is { } text)
            {
                body["remark"] = text;
            }

            var reply = await session.PostAsync($"instances/{instanceId}/backups", body, cancellationToken).ConfigureAwait(false);
            string backupId = (string)reply.Json!["backup_id"]!;
            bool asJson = parseResult.GetValue(json);
            if (!parseResult.GetValue(wait))
            {
                CreateOutput.WriteCreated(reply, asJson, $"Backup {backupId} of instance {instanceId} started.");
                return ExitCodes.Ok;
            }

            var waiter = new JobWaiter($"backup {backupId}", ct => FindAsync(session, instanceId, backupId, ct), JobWaiter.RecordFinal);
            var record = await waiter.WaitAsync(asJson, cancellationToken).ConfigureAwait(false);
            return CreateOutput.Finish(record, asJson, "succeed", WriteBackup);
        });
        return command;
    }

    /// <summary>One backup in full, with its census: keys per database and per type.</summary>
    private static void WriteBackup(JsonNode backup) => RecordTable.WriteFields(
        backup,
        ("id", r => RecordTable.Text(r, "backup_id")),
        ("name", r => RecordTable.Text(r, "backup_name")),
        ("status", r => RecordTable.Text(r, "status") is "failed" ? $"failed ({RecordTable.Text(r, "error_code")})" : RecordTable.Text(r, "status")),
        ("size", r => RecordTable.Bytes(r, "size")),
        ("keys", RecordTable.Census),
        ("remark", r => RecordTable.Text(r, "remark")),
        ("created", r => RecordTable.Time(r, "created_at")));

    private static Command Delete()
    {
        var instance = ClientCommand.InstanceOption();
        var id = new Argument<string>("backup-id") { Description = "the backup id" };
        var command = new Command("delete", "Delete a backup's files (the record stays, with status deleted)") { id, instance };
        command.SetClientAction(async (session, parseResult, cancellationToken) =>
        {
            await session.DeleteAsync($"instances/{parseResult.GetValue(instance)}/backups/{parseResult.GetValue(id)}", cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine($"Backup {parseResult.GetValue(id)} deleted.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
