using Dcsd.Rdb;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Restore;
using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Redis.Tests.Restore;

/// <summary>Plain strings go as MSET batches: same values, same encodings, same winners as one RESTORE per key.</summary>
public sealed class StringBatchTests
{
    [Fact]
    public async Task Batched_strings_keep_their_values_and_encodings_and_the_rest_stays_restore()
    {
        using var directory = new TempDirectory("dcsd-string-batch");
        await using var source = await TestRedis.StartAsync();
        IDatabase db0 = source.Db();
        byte[] incompressible = new byte[(16 * 1024) + 1];
        new Random(7).NextBytes(incompressible);
        RedisValue[] values =
        [
            "", "v", "0", "-1", "127", "128", "-32768", "32767", "2147483647", "-2147483648", "2147483648", "007", "1.5",
            new byte[] { 0, 13, 10, 255, 36, 42 }, incompressible.AsSpan(1).ToArray(), incompressible,
        ];
        for (int i = 0; i < values.Length; i++)
        {
            await db0.StringSetAsync($"edge:{i}", values[i]);
        }

        // More keys than one batch holds, in three databases, amid other types and keys only a RESTORE can carry.
        for (int db = 0; db < 3; db++)
        {
            for (int i = 0; i < 700; i++)
            {
                await source.Db(db).StringSetAsync($"plain:{i}", $"value-{db}-{i}");
            }

            await source.Db(db).HashSetAsync("hash", [new HashEntry("f", "v")]);
        }

        await db0.StringSetAsync("compressible", new string('a', 1000));
        await db0.StringSetAsync("with-ttl", "expires", TimeSpan.FromHours(1));
        Dictionary<string, string> encodings = await EncodingsAsync(source);
        SortedDictionary<string, string> expected = await LogicalDump.TakeAsync(source.Connection, source.EndPoint);
        string rdb = await SaveAsync(source, directory);

        await using var target = await TestRedis.StartAsync();
        await target.Db().StringSetAsync("plain:1", "stale, with a TTL", TimeSpan.FromHours(1));
        await target.Db().SetAddAsync("plain:2", "stale, another type");
        RestoreWriteSummary summary = await RestoreAsync(rdb, target, new CommandRestoreOptions(), mapDatabase: null);

        Assert.Equal(expected.Count, summary.Keys);
        // Everything but the three hashes, the LZF-compressed string, the one with a TTL and the one over 16 KB.
        Assert.Equal(summary.Keys - 6, summary.BatchedStrings);
        Assert.Equal(expected, await LogicalDump.TakeAsync(target.Connection, target.EndPoint));
        Assert.Equal(encodings, await EncodingsAsync(target));
        Assert.Equal(-1, (long)await target.Db().ExecuteAsync("PTTL", "plain:1"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Databases_merged_into_one_keep_the_files_order_of_which_value_wins(bool stringFirst)
    {
        // The same key in db 0 and db 1 of the file, once a string (batched) and once a hash (a RESTORE at once): merged
        // into one database, db 1's value must win as it would with a RESTORE per key.
        using var directory = new TempDirectory("dcsd-string-batch-merge");
        await using var source = await TestRedis.StartAsync();
        IDatabase stringDb = source.Db(stringFirst ? 0 : 1), hashDb = source.Db(stringFirst ? 1 : 0);
        await stringDb.StringSetAsync("same", "string");
        await hashDb.HashSetAsync("same", [new HashEntry("f", "hash")]);
        string rdb = await SaveAsync(source, directory);

        await using var target = await TestRedis.StartAsync();
        RestoreWriteSummary summary = await RestoreAsync(rdb, target, new CommandRestoreOptions(), mapDatabase: _ => 0);

        Assert.Equal(2, summary.Keys);
        Assert.Equal(1, summary.BatchedStrings);
        Assert.Equal(stringFirst ? RedisType.Hash : RedisType.String, await target.Db().KeyTypeAsync("same"));
    }

    [Fact]
    public async Task Without_batches_every_key_is_a_restore()
    {
        using var directory = new TempDirectory("dcsd-string-batch-off");
        await using var source = await TestRedis.StartAsync();
        await source.Db().StringSetAsync("a", "1");
        await source.Db().StringSetAsync("b", "two");
        SortedDictionary<string, string> expected = await LogicalDump.TakeAsync(source.Connection, source.EndPoint);
        string rdb = await SaveAsync(source, directory);

        await using var target = await TestRedis.StartAsync();
        RestoreWriteSummary summary = await RestoreAsync(rdb, target, new CommandRestoreOptions { BatchPlainStrings = false }, mapDatabase: null);

        Assert.Equal(0, summary.BatchedStrings);
        Assert.Equal(expected, await LogicalDump.TakeAsync(target.Connection, target.EndPoint));
    }

    [Theory]
    [InlineData(256, 8 << 20)]
    [InlineData(4, 1024)]
    public async Task A_cluster_node_owning_every_slot_gets_batches_of_one_slot_only(int batchKeys, long pendingBytes)
    {
        // One node of a cluster refuses an MSET across slots (CROSSSLOT) even though it owns them all. The second case
        // sends batches because they are full and because together they hold too much, many times over.
        using var directory = new TempDirectory("dcsd-string-batch-cluster");
        await using var source = await TestRedis.StartAsync();
        for (int i = 0; i < 500; i++)
        {
            await source.Db().StringSetAsync($"key:{i}", $"value:{i}");
            await source.Db().StringSetAsync($"{{tag}}:{i}", $"tagged:{i}");
        }

        SortedDictionary<string, string> expected = await LogicalDump.TakeAsync(source.Connection, source.EndPoint);
        string rdb = await SaveAsync(source, directory);
        await using var target = await TestRedis.StartAsync(configLines: ["cluster-enabled yes", "cluster-config-file nodes.conf"]);
        await target.Db().ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", 0, 16383);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!((string)(await target.Db().ExecuteAsync("CLUSTER", "INFO"))!).Contains("cluster_state:ok", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await using var file = File.OpenRead(rdb);
        var options = new CommandRestoreOptions { StringBatchKeys = batchKeys, StringBatchPendingBytes = pendingBytes };
        RestoreResult result = await CommandRestore.RunAsync(file, RoundTripTests.Target(target), options, null, CancellationToken.None);

        Assert.Equal(1000, result.Keys);

        // A cluster node has db 0 only, which LogicalDump's walk over every database cannot SELECT past.
        var actual = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (RedisKey key in target.Admin.KeysAsync(0, pageSize: 1000))
        {
            actual[$"0/{key}"] = await LogicalDump.DescribeAsync(target.Db(), key);
        }

        Assert.Equal(expected, actual);
    }

    private static async Task<RestoreWriteSummary> RestoreAsync(string rdb, TestRedis target, CommandRestoreOptions options, Func<int, int?>? mapDatabase)
    {
        using var connection = await RedisNodeClient.ConnectAsync(RoundTripTests.Target(target).Address, CancellationToken.None);
        using var pipeline = new TargetPipeline(connection, 1 << 20, 64 * 1024, CancellationToken.None);
        using var writer = new RdbRestoreWriter(pipeline, new RestoreCapabilities(RdbVersion: 10, SupportsFunctions: true), options, mapDatabase: mapDatabase);
        await using var file = File.OpenRead(rdb);
        using var reader = new RdbReader(file);
        return await writer.WriteAsync(reader, null, CancellationToken.None);
    }

    private static async Task<string> SaveAsync(TestRedis source, TempDirectory directory)
    {
        await source.Db().ExecuteAsync("SAVE");
        string copy = directory.Combine("dump.rdb");
        File.Copy(Path.Combine(source.Server.Directory, "dump.rdb"), copy);
        return copy;
    }

    private static async Task<Dictionary<string, string>> EncodingsAsync(TestRedis redis)
    {
        var encodings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int db = 0; db < 3; db++)
        {
            await foreach (RedisKey key in redis.Admin.KeysAsync(db, pageSize: 1000))
            {
                encodings[$"{db}/{key}"] = (string)(await redis.Db(db).ExecuteAsync("OBJECT", "ENCODING", key))!;
            }
        }

        return encodings;
    }
}
