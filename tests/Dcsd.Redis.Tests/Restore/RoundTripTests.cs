using Dcsd.Redis.Protocol;
using Dcsd.Redis.Restore;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Restore;

public sealed class RoundTripTests : IClassFixture<RestoreSourceFixture>
{
    private readonly RestoreSourceFixture _source;

    public RoundTripTests(RestoreSourceFixture source)
    {
        _source = source;
    }

    [Fact]
    public async Task Restore_commands_bring_back_every_type_ttl_function_and_frequency_and_remove_other_keys()
    {
        await using var target = await TestRedis.StartAsync("target-pass", ["maxmemory-policy allkeys-lfu", "lfu-decay-time 0"]);
        await RestoreAssertions.WriteStaleContentAsync(target);
        var progress = new List<double>();

        await using var file = File.OpenRead(_source.RdbPath);
        RestoreResult result = await CommandRestore.RunAsync(file, Target(target), null, new SynchronousProgress(progress.Add), CancellationToken.None);

        Assert.Equal(RestoreEngineKind.RestoreCommands, result.Engine);
        Assert.Equal(_source.Expected.Count, result.Keys);
        Assert.Equal(new FileInfo(_source.RdbPath).Length, result.Bytes);
        Assert.Equal(1.0, progress[^1]);
        Assert.Equal(_source.HotKeyFrequency, (long)await target.Db().ExecuteAsync("OBJECT", "FREQ", RestoreSourceFixture.HotKey));
        await RestoreAssertions.AssertSameAsSourceAsync(_source, target);
    }

    [Fact]
    public async Task Native_commands_for_every_value_give_the_same_data()
    {
        // A threshold of one byte sends every key through temporary key + native batches + RENAME + PEXPIREAT.
        await using var target = await TestRedis.StartAsync();
        await RestoreAssertions.WriteStaleContentAsync(target);

        await using var file = File.OpenRead(_source.RdbPath);
        RestoreResult result = await CommandRestore.RunAsync(file, Target(target), new CommandRestoreOptions { BigValueThreshold = 1, NativeBatchArguments = 64 }, null, CancellationToken.None);

        Assert.Equal(_source.Expected.Count, result.Keys);
        await RestoreAssertions.AssertSameAsSourceAsync(_source, target);
        Assert.Empty(await target.Admin.KeysAsync(pattern: "dcsd-restore-tmp:*").ToListAsync());
    }

    [Fact]
    public async Task An_older_target_rdb_version_gets_restamped_payloads_and_native_commands_for_newer_types()
    {
        // The target is 7.0 (RDB 10); telling the writer it reads only RDB 9 makes it restamp old-type payloads to 9
        // (which 7.0 accepts, as 6.x would) and render listpack-era types (RDB 10) as native commands.
        await using var target = await TestRedis.StartAsync();
        await RestoreAssertions.WriteStaleContentAsync(target);
        using var connection = await RedisNodeClient.ConnectAsync(Target(target).Address, CancellationToken.None);
        using var pipeline = new TargetPipeline(connection, 1 << 20, 64 * 1024, CancellationToken.None);
        using var writer = new RdbRestoreWriter(pipeline, new RestoreCapabilities(RdbVersion: 9, SupportsFunctions: true), new CommandRestoreOptions());

        await using var file = File.OpenRead(_source.RdbPath);
        using var reader = new Dcsd.Rdb.RdbReader(file);
        RestoreWriteSummary summary = await writer.WriteAsync(reader, null, CancellationToken.None);

        Assert.InRange(summary.NativeKeys, 1, summary.Keys - 1);
        await RestoreAssertions.AssertSameAsSourceAsync(_source, target);
    }

    [Fact]
    public async Task Replication_replaces_the_data_of_a_master_and_its_standby_ends_in_sync()
    {
        // The standby re-syncs from the target after the restore; without the default 5 s diskless delay the test is quicker.
        await using var target = await TestRedis.StartAsync("target-pass", ["maxmemory-policy allkeys-lfu", "lfu-decay-time 0", "repl-diskless-sync-delay 0"]);
        await using var standby = await TestRedis.StartReplicaAsync(target);
        await RestoreAssertions.WriteStaleContentAsync(target);
        var progress = new List<double>();

        await using var file = File.OpenRead(_source.RdbPath);
        RestoreResult result = await ReplicationRestore.RunAsync(file, file.Length, Target(target), new SynchronousProgress(progress.Add), CancellationToken.None);

        Assert.Equal(RestoreEngineKind.Replication, result.Engine);
        Assert.Equal(_source.Expected.Count, result.Keys);
        Assert.Equal(1.0, progress[^1]);
        Assert.Contains("role:master", await target.Admin.InfoRawAsync("replication"), StringComparison.Ordinal);
        // The target loaded from the link (on-empty-db) and has its own setting back.
        Assert.Contains("from master to parser", await File.ReadAllTextAsync(Path.Combine(target.Server.Directory, "redis.log")), StringComparison.Ordinal);
        Assert.Equal("disabled", (await target.Admin.ConfigGetAsync("repl-diskless-load")).Single().Value);
        Assert.Equal(_source.HotKeyFrequency, (long)await target.Db().ExecuteAsync("OBJECT", "FREQ", RestoreSourceFixture.HotKey));
        await RestoreAssertions.AssertSameAsSourceAsync(_source, target);

        string standbyInfo = (await standby.Admin.InfoRawAsync("replication"))!;
        Assert.Contains($"master_port:{target.Port}", standbyInfo, StringComparison.Ordinal);
        Assert.Contains("master_link_status:up", standbyInfo, StringComparison.Ordinal);
        await RestoreAssertions.AssertSameAsSourceAsync(_source, standby);
    }

    [Fact]
    public async Task The_selector_picks_replication_for_a_plain_master_that_reads_the_file_version()
    {
        await using var target = await TestRedis.StartAsync();
        byte[] header = new byte[9];
        await using (var file = File.OpenRead(_source.RdbPath))
        {
            await file.ReadExactlyAsync(header);
        }

        int fileVersion = RestoreEngineSelector.ReadFileRdbVersion(header);
        Assert.Equal(10, fileVersion);
        Assert.Equal(RestoreEngineKind.Replication, await RestoreEngineSelector.ChooseAsync(Target(target), fileVersion, CancellationToken.None));
        Assert.Equal(RestoreEngineKind.RestoreCommands, await RestoreEngineSelector.ChooseAsync(Target(target), fileVersion + 1, CancellationToken.None));
    }

    internal static RestoreTarget Target(TestRedis redis, string? password = null) =>
        new() { Host = "127.0.0.1", Port = redis.Port, Password = password ?? redis.Password, IdleTimeout = TimeSpan.FromSeconds(20) };
}

/// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool, racing the assertions).</summary>
internal sealed class SynchronousProgress(Action<double> report) : IProgress<double>
{
    public void Report(double value) => report(value);
}
