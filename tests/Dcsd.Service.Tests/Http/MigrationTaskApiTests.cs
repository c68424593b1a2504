using System.Text.Json.Nodes;
using Dcsd.Service.Security;
using Dcsd.Testing;
using Microsoft.Data.Sqlite;
using StackExchange.Redis;

namespace Dcsd.Service.Tests.Http;

/// <summary>Backup import (DCS migration task, backupfile_import): a backup of one instance put into another.</summary>
public sealed class MigrationTaskApiTests : IAsyncLifetime
{
    private const string P = DcsTestClient.Project;
    private const string SourcePassword = "source-password-1";
    private const string TargetPassword = "target-password-2";
    private DcsdTestServer _dcsd = null!;

    public async Task InitializeAsync() => _dcsd = await DcsdTestServer.StartAsync();

    public async Task DisposeAsync() => await _dcsd.DisposeAsync();

    [Fact]
    public async Task Import_replaces_the_targets_data_with_the_backups_and_leaves_the_source_alone()
    {
        var source = await _dcsd.CreateRunningInstanceAsync(password: SourcePassword);
        string sourceId = (string)source["instance_id"]!;
        await using var sourceRedis = await ConnectAsync(source, SourcePassword);
        await SampleData.WriteEveryTypeAsync(sourceRedis);
        var atBackup = await DumpAsync(sourceRedis, source);
        string backupId = await BackupAsync(sourceId);
        // Written after the backup: must not reach the target.
        await sourceRedis.GetDatabase().StringSetAsync("after-backup", "not imported");

        var target = await _dcsd.CreateRunningInstanceAsync(password: TargetPassword);
        string targetId = (string)target["instance_id"]!;
        await using var targetRedis = await ConnectAsync(target, TargetPassword);
        await WriteOtherDataAsync(targetRedis);

        var (status, created, _) = await _dcsd.SendAsync(HttpMethod.Post, $"/v2/{P}/migration-task", ImportBody("import-one", backupId, targetId, TargetPassword, "from the source"));
        Assert.Equal(200, status);
        string taskId = (string)created!["id"]!;
        Assert.True(Guid.TryParseExact(taskId, "D", out _));
        Assert.Equal("import-one", (string)created["name"]!);
        Assert.Equal("MIGRATING", (string)created["status"]!);

        var task = await _dcsd.WaitMigrationTaskAsync(taskId);
        Assert.Equal("SUCCESS", (string)task["status"]!);
        Assert.Equal(taskId, (string)task["task_id"]!);
        Assert.Equal("import-one", (string)task["task_name"]!);
        Assert.Equal("from the source", (string)task["description"]!);
        Assert.Equal("backupfile_import", (string)task["migration_type"]!);
        Assert.Equal("full_amount_migration", (string)task["migration_method"]!);
        Assert.Null(task["error_message"]);
        Assert.Equal("100.00", (string)task["progress"]!);
        var files = task["backup_files"]!;
        Assert.Equal("backup_record", (string)files["file_source"]!);
        Assert.Equal(backupId, (string)files["backup_record"]!["backup_id"]!);
        Assert.Matches("^backup_[0-9]{14}$", (string)files["backup_record"]!["backup_name"]!);
        var file = Assert.Single(files["files"]!.AsArray())!;
        Assert.EndsWith(".rdb", (string)file["file_name"]!, StringComparison.Ordinal);
        Assert.Equal(new FileInfo(_dcsd.BackupFilePath(sourceId, backupId)).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), (string)file["size"]!);
        Assert.Equal(targetId, (string)task["target_instance"]!["id"]!);
        Assert.Equal((int)target["port"]!, (int)task["target_instance"]!["port"]!);

        Assert.Equal("RUNNING", (string)(await _dcsd.WaitInstanceAsync(targetId, "RUNNING"))["status"]!);
        Assert.Equal(atBackup, await DumpAsync(targetRedis, target));
        // The source keeps everything, including what came after its backup.
        Assert.Equal("not imported", (string?)await sourceRedis.GetDatabase().StringGetAsync("after-backup"));

        var list = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/migration-tasks");
        Assert.Equal(1, (int)list["count"]!);
        var item = list["migration_tasks"]![0]!;
        Assert.Equal(taskId, (string)item["task_id"]!);
        Assert.Equal("SUCCESS", (string)item["status"]!);
        Assert.Equal(sourceId, (string)item["source_instance_id"]!);
        Assert.Equal("t-ha", (string)item["source_instance_name"]!);
        Assert.Equal(targetId, (string)item["target_instance_id"]!);
        Assert.Equal($"127.0.0.1:{(int)target["port"]!}", (string)item["target_instance_addrs"]!);
        Assert.True(item.AsObject().ContainsKey("data_source"));
    }

    [Fact]
    public async Task Import_into_a_single_node_instance_works()
    {
        var source = await _dcsd.CreateRunningInstanceAsync(password: SourcePassword);
        string sourceId = (string)source["instance_id"]!;
        await using var sourceRedis = await ConnectAsync(source, SourcePassword);
        await SampleData.WriteEveryTypeAsync(sourceRedis, databases: 2);
        var atBackup = await DumpAsync(sourceRedis, source);
        string backupId = await BackupAsync(sourceId);

        var single = await _dcsd.CreateRunningInstanceAsync("single", TargetPassword);
        string singleId = (string)single["instance_id"]!;
        await using var singleRedis = await ConnectAsync(single, TargetPassword);
        await WriteOtherDataAsync(singleRedis);

        var created = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/migration-task", ImportBody("into-single", backupId, singleId, TargetPassword));
        var task = await _dcsd.WaitMigrationTaskAsync((string)created["id"]!);
        Assert.Equal("SUCCESS", (string)task["status"]!);
        Assert.Equal("RUNNING", (string)(await _dcsd.WaitInstanceAsync(singleId, "RUNNING"))["status"]!);
        Assert.Equal(atBackup, await DumpAsync(singleRedis, single));
    }

    [Fact]
    public async Task Import_rules_give_clear_dcs_errors_and_never_echo_the_password()
    {
        var source = await _dcsd.CreateRunningInstanceAsync(password: SourcePassword);
        string sourceId = (string)source["instance_id"]!;
        string backupId = await BackupAsync(sourceId);
        var target = await _dcsd.CreateRunningInstanceAsync(password: TargetPassword);
        string targetId = (string)target["instance_id"]!;
        string path = $"/v2/{P}/migration-task";

        await AssertErrorAsync(400, "DCS.4080", HttpMethod.Post, path, ImportBody("t", backupId, targetId, "wrong-password"));
        await AssertErrorAsync(400, "DCS.4080", HttpMethod.Post, path, ImportBody("t", backupId, targetId, null));
        await AssertErrorAsync(400, "DCS.4080", HttpMethod.Post, path, ImportBody("t", backupId, targetId, TargetPassword + "x"));
        await AssertErrorAsync(400, "DCS.4031", HttpMethod.Post, path, ImportBody("t", Guid.NewGuid().ToString(), targetId, TargetPassword));
        await AssertErrorAsync(400, "DCS.4062", HttpMethod.Post, path, ImportBody("t", "not-a-uuid", targetId, TargetPassword));
        await AssertErrorAsync(404, "DCS.3022", HttpMethod.Post, path, ImportBody("t", backupId, Guid.NewGuid().ToString(), TargetPassword));
        await AssertErrorAsync(400, "DCS.4061", HttpMethod.Post, path, ImportBody("t", backupId, "nope", TargetPassword));
        await AssertErrorAsync(400, "DCS.4062", HttpMethod.Post, path, ImportBody(string.Empty, backupId, targetId, TargetPassword));
        await AssertErrorAsync(400, "DCS.4004", HttpMethod.Post, path, string.Empty);
        await AssertErrorAsync(400, "DCS.4062", HttpMethod.Post, path, """{"task_name":"t","migration_type":"backupfile_import","migration_method":"full_amount_migration"}""");

        // What dcsd does not do is refused by name, not silently ignored.
        string online = ImportBody("t", backupId, targetId, TargetPassword).Replace("backupfile_import", "online_migration", StringComparison.Ordinal);
        Assert.Contains("online migration is not supported", await AssertErrorAsync(400, "DCS.4062", HttpMethod.Post, path, online), StringComparison.Ordinal);
        string incremental = ImportBody("t", backupId, targetId, TargetPassword).Replace("full_amount_migration", "incremental_migration", StringComparison.Ordinal);
        Assert.Contains("full migration", await AssertErrorAsync(400, "DCS.4062", HttpMethod.Post, path, incremental), StringComparison.Ordinal);
        string obs = $$$"""
            {"task_name":"t","migration_type":"backupfile_import","migration_method":"full_amount_migration",
             "backup_files":{"file_source":"self_build_obs","bucket_name":"b","files":[{"file_name":"x.rdb","size":"10","update_at":"2024"}]},
             "target_instance":{"id":"{{{targetId}}}","password":"{{{TargetPassword}}}"}}
            """;
        Assert.Contains("not supported by this dcsd yet", await AssertErrorAsync(400, "DCS.4062", HttpMethod.Post, path, obs), StringComparison.Ordinal);

        // Another project sees neither the backup nor the tasks of this one.
        var other = await DcsdCredentials.CreateAsync(_dcsd.DataDirectory, "another-project");
        using var otherClient = new DcsTestClient(new HttpClient(new TestSigningHandler(other)) { BaseAddress = _dcsd.Client.BaseAddress });
        var (s1, e1, _) = await otherClient.SendAsync(HttpMethod.Post, "/v2/another-project/migration-task", ImportBody("t", backupId, targetId, TargetPassword));
        Assert.Equal((400, "DCS.4031"), (s1, (string)e1!["error_code"]!));

        var created = await _dcsd.OkAsync(HttpMethod.Post, path, ImportBody("t", backupId, targetId, TargetPassword));
        string taskId = (string)created["id"]!;
        var (s2, e2, _) = await otherClient.SendAsync(HttpMethod.Get, $"/v2/another-project/migration-task/{taskId}");
        Assert.Equal((400, "DCS.4133"), (s2, (string)e2!["error_code"]!));
        Assert.Equal(0, (int)(await otherClient.OkAsync(HttpMethod.Get, "/v2/another-project/migration-tasks"))["count"]!);
        var (s3, e3, _) = await otherClient.SendAsync(HttpMethod.Delete, "/v2/another-project/migration-tasks/delete", $$"""{"task_id_list":["{{taskId}}"]}""");
        Assert.Equal((400, "DCS.4133"), (s3, (string)e3!["error_code"]!));

        var task = await _dcsd.WaitMigrationTaskAsync(taskId);
        Assert.Equal("SUCCESS", (string)task["status"]!);
        Assert.DoesNotContain(TargetPassword, task.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(TargetPassword, (await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/migration-tasks")).ToJsonString(), StringComparison.Ordinal);

        await AssertErrorAsync(400, "DCS.4133", HttpMethod.Get, $"/v2/{P}/migration-task/{Guid.NewGuid()}");
        await AssertErrorAsync(400, "DCS.4070", HttpMethod.Get, $"/v2/{P}/migration-task/not-a-task");

        // A deleted target is gone for imports too.
        await _dcsd.WaitInstanceAsync(targetId, "RUNNING");
        var (_, _, deleted) = await _dcsd.SendAsync(HttpMethod.Delete, $"/v2/{P}/instances/{targetId}");
        Assert.Equal(204, (int)deleted.StatusCode);
        await AssertErrorAsync(404, "DCS.3022", HttpMethod.Post, path, ImportBody("t", backupId, targetId, TargetPassword));
    }

    [Fact]
    public async Task A_running_import_keeps_every_other_job_off_its_target_and_cannot_be_deleted()
    {
        var source = await _dcsd.CreateRunningInstanceAsync(password: SourcePassword);
        string sourceId = (string)source["instance_id"]!;
        await using (var sourceRedis = await ConnectAsync(source, SourcePassword))
        {
            // Enough data for the import to still run while the next requests arrive.
            await SampleData.WriteManyStringsAsync(sourceRedis, 200_000, valueSize: 100);
        }

        string backupId = await BackupAsync(sourceId);
        var target = await _dcsd.CreateRunningInstanceAsync(password: TargetPassword);
        string targetId = (string)target["instance_id"]!;
        string targetBackupId = await BackupAsync(targetId);
        string path = $"/v2/{P}/migration-task";

        // A running import refuses a second import, a backup, a restore, the instance's deletion and its own deletion…
        var created = await _dcsd.OkAsync(HttpMethod.Post, path, ImportBody("first", backupId, targetId, TargetPassword));
        string taskId = (string)created["id"]!;
        await AssertErrorAsync(400, "DCS.4097", HttpMethod.Post, path, ImportBody("second", backupId, targetId, TargetPassword));
        await AssertErrorAsync(400, "DCS.4097", HttpMethod.Post, $"/v2/{P}/instances/{targetId}/backups", "{}");
        await AssertErrorAsync(400, "DCS.4097", HttpMethod.Post, $"/v2/{P}/instances/{targetId}/restores", $$"""{"backup_id":"{{targetBackupId}}"}""");
        await AssertErrorAsync(400, "DCS.4097", HttpMethod.Delete, $"/v2/{P}/instances/{targetId}");
        await AssertErrorAsync(400, "DCS.4957", HttpMethod.Delete, $"/v2/{P}/migration-tasks/delete", $$"""{"task_id_list":["{{taskId}}"]}""");
        var shown = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/instances/{targetId}");
        Assert.True((string?)shown["task"] == "RESTORING" || (string)shown["status"]! == "RESTORING", shown.ToJsonString());

        Assert.Equal("SUCCESS", (string)(await _dcsd.WaitMigrationTaskAsync(taskId))["status"]!);
        Assert.Equal("RUNNING", (string)(await _dcsd.WaitInstanceAsync(targetId, "RUNNING"))["status"]!);
        await using (var targetRedis = await ConnectAsync(target, TargetPassword))
        {
            Assert.Equal(200_000, await targetRedis.GetServer($"127.0.0.1:{(int)target["port"]!}").DatabaseSizeAsync());
        }

        // …and, ended, lets the target be backed up again, while a backup running refuses an import; the task can now be deleted.
        var backup = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{targetId}/backups", "{}");
        await AssertErrorAsync(400, "DCS.4096", HttpMethod.Post, path, ImportBody("busy", backupId, targetId, TargetPassword));
        Assert.Equal("succeed", (string)(await _dcsd.WaitBackupAsync(targetId, (string)backup["backup_id"]!))["status"]!);
        await _dcsd.OkAsync(HttpMethod.Delete, $"/v2/{P}/migration-tasks/delete", $$"""{"task_id_list":["{{taskId}}"]}""");
    }

    [Fact]
    public async Task Tasks_are_listed_newest_first_filtered_by_name_paged_and_deleted()
    {
        var source = await _dcsd.CreateRunningInstanceAsync(password: SourcePassword);
        string backupId = await BackupAsync((string)source["instance_id"]!);
        var target = await _dcsd.CreateRunningInstanceAsync("single", TargetPassword);
        string targetId = (string)target["instance_id"]!;

        var ids = new List<string>();
        foreach (string name in (string[])["alpha-1", "beta-1", "alpha-2"])
        {
            var created = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/migration-task", ImportBody(name, backupId, targetId, TargetPassword));
            ids.Add((string)created["id"]!);
            Assert.Equal("SUCCESS", (string)(await _dcsd.WaitMigrationTaskAsync(ids[^1]))["status"]!);
            await _dcsd.WaitInstanceAsync(targetId, "RUNNING");
        }

        var all = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/migration-tasks?offset=0&limit=10");
        Assert.Equal(3, (int)all["count"]!);
        Assert.Equal(ids.AsEnumerable().Reverse(), all["migration_tasks"]!.AsArray().Select(t => (string)t!["task_id"]!));
        var alpha = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/migration-tasks?name=alpha");
        Assert.Equal(2, (int)alpha["count"]!);
        Assert.Equal(new[] { "alpha-2", "alpha-1" }, alpha["migration_tasks"]!.AsArray().Select(t => (string)t!["task_name"]!));
        var page = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/migration-tasks?offset=1&limit=1");
        Assert.Equal(3, (int)page["count"]!);
        Assert.Equal(ids[1], (string)Assert.Single(page["migration_tasks"]!.AsArray())!["task_id"]!);

        var deleted = await _dcsd.OkAsync(HttpMethod.Delete, $"/v2/{P}/migration-tasks/delete", $$"""{"task_id_list":["{{ids[0]}}","{{ids[2]}}"]}""");
        Assert.Equal(new[] { ids[0], ids[2] }, deleted["task_id_list"]!.AsArray().Select(id => (string)id!));
        await AssertErrorAsync(400, "DCS.4133", HttpMethod.Get, $"/v2/{P}/migration-task/{ids[0]}");
        var left = await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/migration-tasks");
        Assert.Equal(ids[1], (string)Assert.Single(left["migration_tasks"]!.AsArray())!["task_id"]!);

        // All or nothing: one unknown id deletes none.
        await AssertErrorAsync(400, "DCS.4133", HttpMethod.Delete, $"/v2/{P}/migration-tasks/delete", $$"""{"task_id_list":["{{ids[1]}}","{{ids[0]}}"]}""");
        await _dcsd.OkAsync(HttpMethod.Get, $"/v2/{P}/migration-task/{ids[1]}");
        await AssertErrorAsync(400, "DCS.4062", HttpMethod.Delete, $"/v2/{P}/migration-tasks/delete", """{"task_id_list":[]}""");
        await AssertErrorAsync(400, "DCS.4070", HttpMethod.Delete, $"/v2/{P}/migration-tasks/delete", """{"task_id_list":["x"]}""");
    }

    [Fact]
    public async Task A_task_cut_short_by_a_restart_is_failed_with_its_reason_and_the_target_runs_again()
    {
        using var data = new TempDirectory("dcsd-import-restart");
        string targetId;
        await using (var first = await DcsdTestServer.StartAsync(data.Path))
        {
            targetId = (string)(await first.CreateRunningInstanceAsync("single", TargetPassword))["instance_id"]!;
        }

        // What a dcsd stopped mid-import leaves: the task MIGRATING, its target RESTORING.
        string taskId = Guid.NewGuid().ToString();
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(data.Path, "dcsd.db")}"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = """
                INSERT INTO migration_tasks (id, project_id, name, migration_type, migration_method, file_source, backup_id, source_instance_id,
                    target_instance_id, status, progress, created_at, updated_at)
                VALUES ($id, $project, 'cut-short', 'backupfile_import', 'full_amount_migration', 'backup_record', $backup, $source, $target, 'MIGRATING', 40, 0, 0);
                UPDATE instances SET status = 'RESTORING' WHERE id = $target;
                """;
            command.Parameters.AddWithValue("$id", taskId);
            command.Parameters.AddWithValue("$project", P);
            command.Parameters.AddWithValue("$backup", Guid.NewGuid().ToString());
            command.Parameters.AddWithValue("$source", Guid.NewGuid().ToString());
            command.Parameters.AddWithValue("$target", targetId);
            await command.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        await using var again = await DcsdTestServer.StartAsync(data.Path);
        var task = await again.OkAsync(HttpMethod.Get, $"/v2/{P}/migration-task/{taskId}");
        Assert.Equal("FAILED", (string)task["status"]!);
        Assert.Contains("dcsd stopped during the import", (string)task["error_message"]!, StringComparison.Ordinal);
        Assert.Equal("RUNNING", (string)(await again.WaitInstanceAsync(targetId, "RUNNING"))["status"]!);
        // The failed task no longer holds the target: a new import is accepted up to the backup lookup.
        var (status, error, _) = await again.SendAsync(HttpMethod.Post, $"/v2/{P}/migration-task", ImportBody("t", Guid.NewGuid().ToString(), targetId, TargetPassword));
        Assert.Equal((400, "DCS.4031"), (status, (string)error!["error_code"]!));
    }

    private static string ImportBody(string name, string backupId, string targetId, string? password, string? description = null)
    {
        var body = new JsonObject
        {
            ["task_name"] = name,
            ["migration_type"] = "backupfile_import",
            ["migration_method"] = "full_amount_migration",
            ["backup_files"] = new JsonObject { ["file_source"] = "backup_record", ["backup_id"] = backupId },
            ["target_instance"] = new JsonObject { ["id"] = targetId },
        };
        if (password is not null)
        {
            body["target_instance"]!["password"] = password;
        }

        if (description is not null)
        {
            body["description"] = description;
        }

        return body.ToJsonString();
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(JsonNode instance, string password) =>
        await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{(int)instance["port"]!},password={password},allowAdmin=true");

    private static Task<SortedDictionary<string, string>> DumpAsync(ConnectionMultiplexer redis, JsonNode instance) =>
        LogicalDump.TakeAsync(redis, $"127.0.0.1:{(int)instance["port"]!}");

    /// <summary>Data the import must replace: keys the backup lacks, one it holds with another value, another database.</summary>
    private static async Task WriteOtherDataAsync(ConnectionMultiplexer redis)
    {
        await redis.GetDatabase().StringSetAsync("db0:string:small", "the target's own value");
        await redis.GetDatabase().StringSetAsync("target-only", "must go");
        await redis.GetDatabase(9).HashSetAsync("target-only-hash", [new HashEntry("f", "v")]);
    }

    private async Task<string> BackupAsync(string instanceId)
    {
        var backup = await _dcsd.OkAsync(HttpMethod.Post, $"/v2/{P}/instances/{instanceId}/backups", "{}");
        string backupId = (string)backup["backup_id"]!;
        Assert.Equal("succeed", (string)(await _dcsd.WaitBackupAsync(instanceId, backupId))["status"]!);
        return backupId;
    }

    /// <summary>Asserts a v2 flat DCS error and returns its message.</summary>
    private async Task<string> AssertErrorAsync(int status, string code, HttpMethod method, string path, string? body = null)
    {
        var (actual, error, _) = await _dcsd.SendAsync(method, path, body);
        Assert.True((actual, (string?)error?["error_code"]) == (status, code), $"{method} {path} answered {actual}: {error?.ToJsonString()}");
        return (string)error!["error_msg"]!;
    }
}
