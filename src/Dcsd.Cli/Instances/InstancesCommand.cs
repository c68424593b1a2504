using System.CommandLine;
using System.Text.Json.Nodes;
using Dcsd.Cli.Client;

namespace Dcsd.Cli.Instances;

/// <summary>`dcs instances list|show|create|delete` over the DCS instance API (v2).</summary>
internal static class InstancesCommand
{
    private static readonly RecordTable Table = new(
        ("ID", r => RecordTable.Text(r, "instance_id")),
        ("NAME", r => RecordTable.Text(r, "name")),
        ("MODE", r => RecordTable.Text(r, "cache_mode")),
        ("NODES", r => Nodes(r)),
        ("STATUS", r => Status(r)),
        ("ADDRESS", r => $"{RecordTable.Text(r, "ip")}:{RecordTable.Text(r, "port")}"),
        ("MEMORY", r => $"{RecordTable.Text(r, "max_memory")} MB"),
        ("CREATED", r => RecordTable.Time(r, "created_at")));

    public static Command Create() => new("instances", "List, show, create and delete Redis instances")
    {
        List(), Show(), CreateInstance(), Delete(),
    };

    private static Command List()
    {
        var json = ClientCommand.JsonOption();
        var name = new Option<string?>("--name") { Description = "only instances whose name contains this" };
        var command = new Command("list", "List the project's instances") { json, name };
        command.SetClientAction(async (session, parseResult, cancellationToken) =>
        {
            string query = parseResult.GetValue(name) is { } filter ? $"&name={Uri.EscapeDataString(filter)}" : "";
            var reply = await session.GetAsync($"instances?limit=1000{query}", cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(json))
            {
                ClientCommand.PrintRaw(reply);
            }
            else
            {
                Table.Write(reply.Json!["instances"]!.AsArray(), "No instances.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show()
    {
        var json = ClientCommand.JsonOption();
        var id = new Argument<string>("instance-id") { Description = "the instance id" };
        var command = new Command("show", "Show one instance and its nodes") { id, json };
        command.SetClientAction(async (session, parseResult, cancellationToken) =>
        {
            var reply = await session.GetAsync($"instances/{parseResult.GetValue(id)}", cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(json))
            {
                ClientCommand.PrintRaw(reply);
                return ExitCodes.Ok;
            }

            var nodes = await session.GetAsync($"instances/{parseResult.GetValue(id)}/logical-nodes", cancellationToken).ConfigureAwait(false);
            WriteInstance(reply.Json!);
            new RecordTable(
                ("ROLE", n => RecordTable.Text(n, "node_type")),
                ("ADDRESS", n => $"{RecordTable.Text(n, "node_ip")}:{RecordTable.Text(n, "node_port")}"),
                ("STATUS", n => RecordTable.Text(n, "status")),
                ("SHARD", n => RecordTable.Text(n, "group_name")),
                ("SLOTS", n => RecordTable.Text(n, "slots")))
                .Write(nodes.Json!["nodes"]!.AsArray(), "No nodes.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateInstance()
    {
        var json = ClientCommand.JsonOption();
        var wait = ClientCommand.WaitOption("creation until the instance is RUNNING");
        var name = new Option<string>("--name") { Description = "the instance name", Required = true };
        var spec = new Option<string>("--spec-code")
        {
            Description = "redis.single.* (one node), redis.ha.* (master + standby) or redis.cluster.* (shards of master + standby)",
            DefaultValueFactory = _ => "redis.ha.xu1.large.r2.1",
        };
        var capacity = new Option<double>("--capacity") { Description = "memory in GB", DefaultValueFactory = _ => 1 };
        var shards = new Option<int?>("--shards") { Description = "cluster shard count (1-16, default 3)" };
        var password = new Option<string?>("--password") { Description = "the instance password (DCS_INSTANCE_PASSWORD too; none: a random one)" };
        var description = new Option<string?>("--description") { Description = "a description" };
        var command = new Command("create", "Create an instance") { name, spec, capacity, shards, password, description, wait, json };
        command.SetClientAction(async (session, parseResult, cancellationToken) =>
        {
            var body = new JsonObject
            {
                ["name"] = parseResult.GetValue(name),
                ["engine"] = "Redis",
                ["engine_version"] = "7.0",
                ["spec_code"] = parseResult.GetValue(spec),
                ["capacity"] = parseResult.GetValue(capacity),
            };
            if (parseResult.GetValue(shards) is { } count)
            {
                body["sharding_count"] = count;
            }

            if ((parseResult.GetValue(password) ?? Environment.GetEnvironmentVariable("DCS_INSTANCE_PASSWORD")) is { Length: > 0 } secret)
            {
                body["password"] = secret;
            }

            if (parseResult.GetValue(description) is { } text)
            {
                body["description"] = text;
            }

            var reply = await session.PostAsync("instances", body, cancellationToken).ConfigureAwait(false);
            string id = (string)reply.Json!["instances"]![0]!["instance_id"]!;
            bool asJson = parseResult.GetValue(json);
            if (!parseResult.GetValue(wait))
            {
                CreateOutput.WriteCreated(reply, asJson, $"Instance {id} is being created.");
                return ExitCodes.Ok;
            }

            var waiter = new JobWaiter($"instance {id}", async ct => (await session.GetAsync($"instances/{id}", ct).ConfigureAwait(false)).Json!, JobWaiter.InstanceFinal);
            return CreateOutput.Finish(await waiter.WaitAsync(asJson, cancellationToken).ConfigureAwait(false), asJson, "RUNNING", r => WriteInstance(r));
        });
        return command;
    }

    private static Command Delete()
    {
        var id = new Argument<string>("instance-id") { Description = "the instance id" };
        var command = new Command("delete", "Delete an instance: its nodes stop and are removed (an adopted one is only forgotten); its backups stay") { id };
        command.SetClientAction(async (session, parseResult, cancellationToken) =>
        {
            await session.DeleteAsync($"instances/{parseResult.GetValue(id)}", cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine($"Instance {parseResult.GetValue(id)} deleted.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteInstance(JsonNode instance) => RecordTable.WriteFields(
        instance,
        ("id", r => RecordTable.Text(r, "instance_id")),
        ("name", r => RecordTable.Text(r, "name")),
        ("mode", r => $"{RecordTable.Text(r, "cache_mode")} ({RecordTable.Text(r, "spec_code")})"),
        ("nodes", Nodes),
        ("status", Status),
        ("address", r => $"{RecordTable.Text(r, "ip")}:{RecordTable.Text(r, "port")}"),
        ("memory", r => $"{RecordTable.Text(r, "max_memory")} MB"),
        ("engine", r => $"{RecordTable.Text(r, "engine")} {RecordTable.Text(r, "engine_version")}"),
        ("created", r => RecordTable.Time(r, "created_at")));

    private static string Status(JsonNode instance) =>
        RecordTable.Text(instance, "task") is { Length: > 0 } task ? $"{RecordTable.Text(instance, "status")} ({task})" : RecordTable.Text(instance, "status");

    /// <summary>Nodes as the view counts them: shards × nodes per shard (a single node: 1).</summary>
    private static string Nodes(JsonNode instance)
    {
        int shards = Math.Max(1, (int?)instance["sharding_count"] ?? 1);
        int perShard = Math.Max(1, (int?)instance["replica_count"] ?? 1);
        return (shards * perShard).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
