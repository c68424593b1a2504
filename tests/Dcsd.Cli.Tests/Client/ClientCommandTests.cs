using System.Diagnostics;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace Dcsd.Cli.Tests.Client;

/// <summary>
/// The client commands (`dcs login|instances|backups|restores|import`) against a real dcsd (`dcs serve`) running real
/// redis-server instances: every command, its --json body parsed, --wait to succeed and to failed, bad credentials, unknown ids.
/// </summary>
public sealed class ClientCommandTests(DcsdServe dcsd) : IClassFixture<DcsdServe>
{
    private const string Password = "cli-test-instance-pw";
    private const string UnknownId = "00000000-0000-4000-8000-000000000000";

    [Fact]
    public async Task Login_checks_the_pair_then_saves_a_profile_only_its_owner_can_read()
    {
        string profile = dcsd.NewProfilePath();
        var env = new Dictionary<string, string> { ["DCS_PROFILE_FILE"] = profile };
        string[] login = ["login", "--endpoint", dcsd.Endpoint, "--project", DcsdServe.Project, "--access-key", DcsdServe.AccessKey];

        var (exit, _, error) = await DcsCli.RunAsync(env, "not-the-secret", login);
        Assert.Equal(2, exit);
        Assert.Contains("DCS.1001", error, StringComparison.Ordinal);
        Assert.False(File.Exists(profile));

        (exit, var output, error) = await DcsCli.RunAsync(env, DcsdServe.SecretKey, login);
        Assert.True(exit == 0, error);
        Assert.Contains("Logged in", output, StringComparison.Ordinal);
        Assert.DoesNotContain(DcsdServe.SecretKey, output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(profile));

        // The saved profile alone is enough...
        (exit, output, error) = await DcsCli.RunAsync(env, null, "instances", "list", "--json");
        Assert.True(exit == 0, error);
        Assert.NotNull(JsonNode.Parse(output)!["instances"]);

        // ...and each variable overrides its field.
        env["DCS_SECRET_KEY"] = "wrong-secret";
        (exit, _, error) = await DcsCli.RunAsync(env, null, "instances", "list");
        Assert.Equal(2, exit);
        Assert.Contains("DCS.1001", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_profile_or_variables_a_command_says_how_to_log_in()
    {
        var (exit, _, error) = await DcsCli.RunAsync(new Dictionary<string, string> { ["DCS_PROFILE_FILE"] = dcsd.NewProfilePath() }, null, "instances", "list");
        Assert.Equal(1, exit);
        Assert.Contains("not logged in", error, StringComparison.Ordinal);
        Assert.Contains("dcs login", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_credentials_and_an_unreachable_endpoint_have_their_own_exit_codes()
    {
        var (exit, _, error) = await DcsCli.RunAsync(dcsd.Environment(secretKey: "wrong-secret"), null, "backups", "list", "--instance", UnknownId);
        Assert.Equal(2, exit);
        Assert.Contains("DCS.1001", error, StringComparison.Ordinal);

        var env = dcsd.Environment();
        env["DCS_ENDPOINT"] = "http://127.0.0.1:1";
        (exit, _, error) = await DcsCli.RunAsync(env, null, "instances", "list");
        Assert.Equal(4, exit);
        Assert.Contains("cannot reach dcsd at http://127.0.0.1:1", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_ids_answer_with_their_DCS_codes()
    {
        string instanceId = await CreateInstanceAsync("cli-unknown", "redis.ha.xu1.large.r2.1");
        (string[] Args, string Code)[] cases =
        [
            (["instances", "show", UnknownId], "DCS.3022"),
            (["instances", "delete", UnknownId], "DCS.3022"),
            (["backups", "list", "--instance", UnknownId], "DCS.3022"),
            (["backups", "delete", "--instance", instanceId, UnknownId], "DCS.4031"),
            (["restores", "create", "--instance", instanceId, "--backup", UnknownId], "DCS.4031"),
            (["import", "--backup", UnknownId, "--target", instanceId, "--target-password", Password], "DCS.4031"),
            (["instances", "show", "not-an-id"], "DCS.4061"),
        ];
        foreach (var (args, code) in cases)
        {
            var (exit, output, error) = await dcsd.RunAsync(args);
            Assert.True(exit == 2, $"{string.Join(' ', args)} exited {exit}: {output} {error}");
            Assert.StartsWith($"dcs: {code}: ", error, StringComparison.Ordinal);
            Assert.Equal("", output);
        }
    }

    [Fact]
    public async Task Instances_are_created_listed_shown_and_deleted()
    {
        var (exit, output, error) = await dcsd.RunAsync("instances", "create", "--name", "cli-single", "--spec-code", "redis.single.xu1.tiny.128", "--password", Password, "--wait", "--json");
        Assert.True(exit == 0, error);
        var created = JsonNode.Parse(output)!;
        string id = (string)created["instance_id"]!;
        Assert.Equal("RUNNING", (string?)created["status"]);
        Assert.Equal("single", (string?)created["cache_mode"]);
        Assert.DoesNotContain(Password, output, StringComparison.Ordinal);

        (exit, output, _) = await dcsd.RunAsync("instances", "list", "--json");
        Assert.Equal(0, exit);
        Assert.Contains(JsonNode.Parse(output)!["instances"]!.AsArray(), i => (string?)i!["instance_id"] == id);

        (exit, output, _) = await dcsd.RunAsync("instances", "list");
        Assert.Equal(0, exit);
        Assert.Contains(id, output, StringComparison.Ordinal);
        Assert.Contains("cli-single", output, StringComparison.Ordinal);

        (exit, output, _) = await dcsd.RunAsync("instances", "show", id);
        Assert.Equal(0, exit);
        Assert.Contains("RUNNING", output, StringComparison.Ordinal);
        Assert.Contains("master", output, StringComparison.Ordinal);

        (exit, output, _) = await dcsd.RunAsync("instances", "show", id, "--json");
        Assert.Equal(0, exit);
        Assert.Equal(id, (string?)JsonNode.Parse(output)!["instance_id"]);

        (exit, output, error) = await dcsd.RunAsync("instances", "delete", id);
        Assert.True(exit == 0, error);
        Assert.Contains($"Instance {id} deleted", output, StringComparison.Ordinal);
        (exit, _, error) = await dcsd.RunAsync("instances", "show", id);
        Assert.Equal(2, exit);
        Assert.Contains("DCS.3022", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_is_followed_to_succeed_restored_and_deleted()
    {
        string id = await CreateInstanceAsync("cli-backup", "redis.ha.xu1.large.r2.1");
        var instance = await ShowAsync(id);
        await using (var redis = await ConnectAsync(instance))
        {
            var db = redis.GetDatabase();
            await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => db.StringSetAsync($"k:{i}", $"value {i}")));
            await db.HashSetAsync("h", "field", "value");
            await redis.GetDatabase(3).StringSetAsync("in-db3", "x");
        }

        // Not a terminal: the bar degrades to one plain line per change, ending on succeed.
        var (exit, output, error) = await dcsd.RunAsync("backups", "create", "--instance", id, "--remark", "from the cli", "--wait");
        Assert.True(exit == 0, error);
        Assert.Contains("succeed 100.00%", output, StringComparison.Ordinal);
        Assert.Contains("db0 2001, db3 1", output, StringComparison.Ordinal);

        (exit, output, _) = await dcsd.RunAsync("backups", "list", "--instance", id, "--json");
        Assert.Equal(0, exit);
        var backup = JsonNode.Parse(output)!["backup_record_response"]![0]!;
        string backupId = (string)backup["backup_id"]!;
        Assert.Equal("succeed", (string?)backup["status"]);
        Assert.Equal("from the cli", (string?)backup["remark"]);
        Assert.Equal(2002, (long)backup["content"]!["total_keys"]!);
        Assert.Equal(2001, (long)backup["content"]!["types"]!["string"]!);

        await using (var redis = await ConnectAsync(instance))
        {
            await redis.GetDatabase().StringSetAsync("after-the-backup", "x");
        }

        (exit, output, error) = await dcsd.RunAsync("restores", "create", "--instance", id, "--backup", backupId, "--wait", "--json");
        Assert.True(exit == 0, error);
        var restore = JsonNode.Parse(output)!;
        Assert.Equal("succeed", (string?)restore["status"]);
        Assert.Equal(backupId, (string?)restore["backup_id"]);
        // With --json, stdout is only the body; the waiting lines went to stderr.
        Assert.Contains($"restore {restore["restore_id"]}: succeed 100.00%", error, StringComparison.Ordinal);
        await using (var redis = await ConnectAsync(instance))
        {
            Assert.False(await redis.GetDatabase().KeyExistsAsync("after-the-backup"));
            Assert.True(await redis.GetDatabase(3).KeyExistsAsync("in-db3"));
        }

        (exit, output, _) = await dcsd.RunAsync("restores", "list", "--instance", id);
        Assert.Equal(0, exit);
        Assert.Contains((string)restore["restore_id"]!, output, StringComparison.Ordinal);
        (exit, output, _) = await dcsd.RunAsync("restores", "list", "--instance", id, "--json");
        Assert.Equal(1, (int)JsonNode.Parse(output)!["total_num"]!);

        (exit, output, error) = await dcsd.RunAsync("backups", "delete", backupId, "--instance", id);
        Assert.True(exit == 0, error);
        (_, output, _) = await dcsd.RunAsync("backups", "list", "--instance", id, "--json");
        Assert.Equal("deleted", (string?)JsonNode.Parse(output)!["backup_record_response"]![0]!["status"]);
        (exit, _, error) = await dcsd.RunAsync("backups", "delete", backupId, "--instance", id);
        Assert.Equal(2, exit);
        Assert.Contains("DCS.4031", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_without_wait_answers_at_once_and_a_single_node_one_is_refused()
    {
        string ha = await CreateInstanceAsync("cli-nowait", "redis.ha.xu1.large.r2.1");
        var (exit, output, error) = await dcsd.RunAsync("backups", "create", "--instance", ha, "--json");
        Assert.True(exit == 0, error);
        Assert.NotNull((string?)JsonNode.Parse(output)!["backup_id"]);

        string single = await CreateInstanceAsync("cli-single-backup", "redis.single.xu1.tiny.128");
        (exit, output, error) = await dcsd.RunAsync("backups", "create", "--instance", single, "--wait");
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("dcs: DCS.4086: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_that_fails_ends_the_wait_with_exit_3_and_its_error_code()
    {
        string id = await CreateInstanceAsync("cli-failing", "redis.ha.xu1.large.r2.1");
        // The instance's backup directory cannot be made: a file holds its place, so the store fails the job.
        string blocker = Path.Combine(dcsd.DataDirectory, "backups", DcsdServe.Project, id);
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        await File.WriteAllTextAsync(blocker, "not a directory");
        try
        {
            var (exit, output, error) = await dcsd.RunAsync("backups", "create", "--instance", id, "--wait");
            Assert.True(exit == 3, $"exit {exit}: {output} {error}");
            Assert.Contains(": failed", output, StringComparison.Ordinal);
            Assert.StartsWith("dcs: dcs.08.0001: ", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public async Task A_backup_is_imported_into_another_instance()
    {
        string source = await CreateInstanceAsync("cli-import-source", "redis.ha.xu1.large.r2.1");
        string target = await CreateInstanceAsync("cli-import-target", "redis.ha.xu1.large.r2.1");
        await using (var redis = await ConnectAsync(await ShowAsync(source)))
        {
            await redis.GetDatabase().StringSetAsync("imported", "yes");
        }

        var (exit, output, error) = await dcsd.RunAsync("backups", "create", "--instance", source, "--wait", "--json");
        Assert.True(exit == 0, error);
        string backupId = (string)JsonNode.Parse(output)!["backup_id"]!;

        (exit, _, error) = await dcsd.RunAsync("import", "--backup", backupId, "--target", target, "--target-password", "wrong-password");
        Assert.Equal(2, exit);
        Assert.Contains("DCS.4080", error, StringComparison.Ordinal);

        (exit, output, error) = await dcsd.RunAsync("import", "--backup", backupId, "--target", target, "--target-password", Password, "--name", "cli-import", "--wait");
        Assert.True(exit == 0, $"{output} {error}");
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
        Assert.Contains("cli-import", output, StringComparison.Ordinal);
        await using (var redis = await ConnectAsync(await ShowAsync(target)))
        {
            Assert.Equal("yes", (string?)await redis.GetDatabase().StringGetAsync("imported"));
        }
    }

    [Fact]
    public async Task Ctrl_C_stops_the_waiting_but_not_the_job()
    {
        // A cluster of three shards takes seconds to come up: time enough to interrupt the wait after its first line.
        var info = DcsCli.Start("instances", "create", "--name", "cli-interrupted", "--spec-code", "redis.cluster.xu1.large.shard.2", "--shards", "3", "--password", Password, "--wait");
        foreach (var (name, value) in dcsd.Environment())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string? first = await process.StandardOutput.ReadLineAsync();
        Assert.NotNull(first);
        Assert.EndsWith(": CREATING", first, StringComparison.Ordinal);
        string id = first["instance ".Length..first.IndexOf(':', StringComparison.Ordinal)];
        using (var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        string rest = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {rest} {await error}");
        Assert.Contains($"stopped waiting; instance {id} goes on in dcsd", await error, StringComparison.Ordinal);
        Assert.DoesNotContain("RUNNING", rest, StringComparison.Ordinal);

        var deadline = DateTime.UtcNow.AddMinutes(2);
        string status;
        do
        {
            await Task.Delay(500);
            status = (string)(await ShowAsync(id))["status"]!;
        }
        while (status == "CREATING" && DateTime.UtcNow < deadline);
        Assert.Equal("RUNNING", status);
    }

    private async Task<string> CreateInstanceAsync(string name, string spec)
    {
        var (exit, output, error) = await dcsd.RunAsync("instances", "create", "--name", name, "--spec-code", spec, "--password", Password, "--wait", "--json");
        Assert.True(exit == 0, error);
        return (string)JsonNode.Parse(output)!["instance_id"]!;
    }

    private async Task<JsonNode> ShowAsync(string id)
    {
        var (exit, output, error) = await dcsd.RunAsync("instances", "show", id, "--json");
        Assert.True(exit == 0, error);
        return JsonNode.Parse(output)!;
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(JsonNode instance) =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { { (string)instance["ip"]!, (int)instance["port"]! } }, Password = Password });
}
