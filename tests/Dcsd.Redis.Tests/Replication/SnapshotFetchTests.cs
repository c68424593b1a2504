using System.Diagnostics;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Replication;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Replication;

/// <summary>Fetches from real redis-server processes and proves the files load back into identical data.</summary>
public sealed class SnapshotFetchTests
{
    [Theory]
    [InlineData(false, null, true)]
    [InlineData(true, null, true)]
    [InlineData(true, "s3cret \"pass\"", true)]
    [InlineData(false, "s3cret", false)]
    [InlineData(true, null, false)]
    public async Task Fetch_from_a_master_yields_an_rdb_that_loads_into_identical_data(bool diskless, string? password, bool rdbChecksum)
    {
        await using var master = await TestRedis.StartAsync(password, [
            $"repl-diskless-sync {(diskless ? "yes" : "no")}",
            "repl-diskless-sync-delay 0",
            $"rdbchecksum {(rdbChecksum ? "yes" : "no")}",
        ]);
        await RedisData.SeedAsync(master);
        using var temp = new TempDirectory();

        var result = await SnapshotFiles.FetchToFileAsync(SnapshotFiles.SourceFor(master), temp.Combine("snapshot.rdb"));

        Assert.Equal(diskless ? SnapshotTransferMode.Diskless : SnapshotTransferMode.Counted, result.Mode);
        Assert.Equal(rdbChecksum, result.ChecksumPresent);
        Assert.Equal(10, result.RdbVersion); // redis 7.0
        var info = ReplicationInfo.Parse((await master.Admin.InfoRawAsync("replication"))!);
        Assert.Equal(info.ReplicationId, result.ReplicationId);
        Assert.NotNull(result.ReplicationOffset);
        await using var restored = await TestRedis.StartAsync();
        await RedisData.LoadAsync(restored, temp.Combine("snapshot.rdb"));
        await RedisData.AssertSameAsync(master, restored);
    }

    [Fact]
    public async Task Keep_alive_newlines_while_the_fork_is_delayed_reset_the_idle_timer_and_stay_out_of_the_file()
    {
        // The master holds a diskless sync back for 3-4 s (second granularity) and meanwhile sends one '\n' per second.
        await using var master = await TestRedis.StartAsync(configLines: ["repl-diskless-sync yes", "repl-diskless-sync-delay 4"]);
        await RedisData.SeedAsync(master, populateKeys: 0);
        using var temp = new TempDirectory();

        var result = await SnapshotFiles.FetchToFileAsync(
            SnapshotFiles.SourceFor(master, idleTimeout: TimeSpan.FromSeconds(2)), temp.Combine("snapshot.rdb"));

        Assert.Equal(SnapshotTransferMode.Diskless, result.Mode);
        Assert.True(result.Elapsed > TimeSpan.FromSeconds(2.5), $"the delay should have been waited out, took {result.Elapsed}");
        await using var restored = await TestRedis.StartAsync();
        await RedisData.LoadAsync(restored, temp.Combine("snapshot.rdb"));
        await RedisData.AssertSameAsync(master, restored);
    }

    [Fact]
    public async Task Fetch_from_an_in_sync_replica_yields_the_masters_data()
    {
        await using var master = await TestRedis.StartAsync("pw", ["repl-diskless-sync-delay 0"]);
        await RedisData.SeedAsync(master, populateKeys: 2000);
        await using var replica = await TestRedis.StartReplicaAsync(master);
        await replica.Admin.ExecuteAsync("CONFIG", "SET", "repl-diskless-sync-delay", "0");
        await master.Db().StringSetAsync("written-after-sync", "yes");
        await WaitUntilAsync(async () =>
        {
            var masterInfo = ReplicationInfo.Parse((await master.Admin.InfoRawAsync("replication"))!);
            var replicaInfo = ReplicationInfo.Parse((await replica.Admin.InfoRawAsync("replication"))!);
            return replicaInfo.IsInSyncWith(masterInfo, maxOffsetLag: 0);
        });
        using var temp = new TempDirectory();

        var result = await SnapshotFiles.FetchToFileAsync(SnapshotFiles.SourceFor(replica), temp.Combine("replica.rdb"));

        var masterReplication = ReplicationInfo.Parse((await master.Admin.InfoRawAsync("replication"))!);
        Assert.Equal(masterReplication.ReplicationId, result.ReplicationId);
        await using var restored = await TestRedis.StartAsync();
        await RedisData.LoadAsync(restored, temp.Combine("replica.rdb"));
        await RedisData.AssertSameAsync(master, restored);
    }

    [Fact]
    public async Task A_replica_whose_master_is_down_refuses_with_NOMASTERLINK()
    {
        await using var master = await TestRedis.StartAsync(configLines: ["repl-diskless-sync-delay 0"]);
        await using var replica = await TestRedis.StartReplicaAsync(master);
        await master.Server.StopAsync();
        await WaitUntilAsync(async () => !ReplicationInfo.Parse((await replica.Admin.InfoRawAsync("replication"))!).MasterLinkUp);
        using var temp = new TempDirectory();

        var error = await Assert.ThrowsAsync<RedisFailureException>(
            () => SnapshotFiles.FetchToFileAsync(SnapshotFiles.SourceFor(replica), temp.Combine("x.rdb")));

        Assert.Equal(RedisFailureKind.Refused, error.Kind);
        Assert.Contains("NOMASTERLINK", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_fails_authentication_without_revealing_it()
    {
        await using var master = await TestRedis.StartAsync("right-password");
        using var temp = new TempDirectory();

        var error = await Assert.ThrowsAsync<RedisFailureException>(
            () => SnapshotFiles.FetchToFileAsync(SnapshotFiles.SourceFor(master, password: "wrong-password"), temp.Combine("x.rdb")));

        Assert.Equal(RedisFailureKind.AuthenticationFailed, error.Kind);
        Assert.DoesNotContain("wrong-password", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("right-password", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_password_for_a_protected_server_is_refused_with_NOAUTH()
    {
        await using var master = await TestRedis.StartAsync("pw");
        using var temp = new TempDirectory();
        var source = new SnapshotSource { Host = "127.0.0.1", Port = master.Port };

        var error = await Assert.ThrowsAsync<RedisFailureException>(
            () => SnapshotFiles.FetchToFileAsync(source, temp.Combine("x.rdb")));

        Assert.Equal(RedisFailureKind.Refused, error.Kind);
        Assert.Contains("NOAUTH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_master_dropping_us_mid_transfer_is_ConnectionLost_not_a_short_file()
    {
        // rdb-key-save-delay slows the fork to about 1 ms per key, so the transfer is still running when we kill it.
        await using var master = await TestRedis.StartAsync(configLines: ["repl-diskless-sync yes", "repl-diskless-sync-delay 0"]);
        await RedisData.SeedAsync(master, populateKeys: 5000);
        await master.Admin.ExecuteAsync("CONFIG", "SET", "rdb-key-save-delay", "1000");
        var fetch = ReplicationSnapshotClient.FetchAsync(SnapshotFiles.SourceFor(master), Stream.Null);
        await WaitUntilAsync(async () => (await master.Admin.InfoRawAsync("persistence"))!.Contains("rdb_bgsave_in_progress:1", StringComparison.Ordinal));
        await Task.Delay(500);

        long killed = (long)await master.Admin.ExecuteAsync("CLIENT", "KILL", "TYPE", "replica");

        Assert.Equal(1, killed);
        var error = await Assert.ThrowsAsync<RedisFailureException>(() => fetch);
        Assert.Equal(RedisFailureKind.ConnectionLost, error.Kind);
    }

    [Fact]
    public async Task A_failing_destination_stops_the_transfer_and_its_error_propagates()
    {
        // 5 MB at about 1 ms per key: a 5 s transfer, whose first 1 MB chunk reaches the destination after about 1 s.
        // (Uncompressed, since DEBUG POPULATE pads values with zeros that LZF would squeeze into one small chunk.)
        await using var master = await TestRedis.StartAsync(configLines: ["repl-diskless-sync yes", "repl-diskless-sync-delay 0", "rdbcompression no"]);
        await master.Admin.ExecuteAsync("DEBUG", "POPULATE", "5000", "big", "1000");
        await master.Admin.ExecuteAsync("CONFIG", "SET", "rdb-key-save-delay", "1000");
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<IOException>(
            () => ReplicationSnapshotClient.FetchAsync(SnapshotFiles.SourceFor(master), new FailingStream()));

        Assert.Equal("disk full", error.Message);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"took {stopwatch.Elapsed}");
    }

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("disk full"));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), "condition not reached within 20 s");
            await Task.Delay(50);
        }
    }
}
