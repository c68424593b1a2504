using System.CommandLine;
using System.Text.Json.Nodes;
using Dcsd.Cli.Client;

namespace Dcsd.Cli.Imports;

/// <summary>`dcs import`: puts a backup into another instance of the project (DCS's backup import, POST /v2/{p}/migration-task).</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var json = ClientCommand.JsonOption();
        var wait = ClientCommand.WaitOption("import");
        var backup = new Option<string>("--backup", "-b") { Description = "the backup to import (any succeeded backup of the project)", Required = true };
        var target = new Option<string>("--target", "-t") { Description = "the instance whose data the backup replaces", Required = true };
        var password = new Option<string?>("--target-password") { Description = "the target instance's password (DCS_TARGET_PASSWORD too)" };
        var name = new Option<string?>("--name") { Description = "the task name (default: import-<backup id>)" };
        var policy = new Option<string?>("--multi-db-policy") { Description = "into a cluster, for keys outside db0: db0_only or merge (default: refuse)" };
        policy.AcceptOnlyFromAmong("db0_only", "merge");
        var command = new Command("import", "Import a backup into another instance, replacing its data") { backup, target, password, name, policy, wait, json };
        command.SetClientAction(async (session, parseResult, cancellationToken) =>
        {
            string backupId = parseResult.GetValue(backup)!;
            var targetInstance = new JsonObject { ["id"] = parseResult.GetValue(target) };
            if ((parseResult.GetValue(password) ?? Environment.GetEnvironmentVariable("DCS_TARGET_PASSWORD")) is { Length: > 0 } secret)
            {
                targetInstance["password"] = secret;
            }

            var body = new JsonObject
            {
                ["task_name"] = parseResult.GetValue(name) ?? $"import-{backupId}",
                ["migration_type"] = "backupfile_import",
                ["migration_method"] = "full_amount_migration",
                ["backup_files"] = new JsonObject { ["file_source"] = "backup_record", ["backup_id"] = backupId },
                ["target_instance"] = targetInstance,
            };
            if (parseResult.GetValue(policy) is { } multiDb)
            {
                body["multi_db_policy"] = multiDb;
            }

            var reply = await session.PostAsync("migration-task", body, cancellationToken).ConfigureAwait(false);
            string taskId = (string)reply.Json!["id"]!;
            bool asJson = parseResult.GetValue(json);
            if (!parseResult.GetValue(wait))
            {
                CreateOutput.WriteCreated(reply, asJson, $"Import task {taskId} started.");
                return ExitCodes.Ok;
            }

            var waiter = new JobWaiter($"import {taskId}", async ct => (await session.GetAsync($"migration-task/{taskId}", ct).ConfigureAwait(false)).Json!, JobWaiter.TaskFinal);
            var record = await waiter.WaitAsync(asJson, cancellationToken).ConfigureAwait(false);
            return CreateOutput.Finish(record, asJson, "SUCCESS", WriteTask);
        });
        return command;
    }

    private static void WriteTask(JsonNode task) => RecordTable.WriteFields(
        task,
        ("task", r => $"{RecordTable.Text(r, "task_id")} ({RecordTable.Text(r, "task_name")})"),
        ("status", r => RecordTable.Text(r, "status")),
        ("backup", r => RecordTable.Text(r["backup_files"]?["backup_record"] ?? new JsonObject(), "backup_name")),
        ("target", r => $"{RecordTable.Text(r["target_instance"] ?? new JsonObject(), "name")} ({RecordTable.Text(r["target_instance"] ?? new JsonObject(), "id")})"),
        ("engine", r => RecordTable.Text(r, "engine")),
        ("error", r => RecordTable.Text(r, "error_message")));
}
