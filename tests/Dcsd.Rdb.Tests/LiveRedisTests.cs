using System.Globalization;
using System.Text;
using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Rdb.Tests;

/// <summary>Checks the reader against the redis-server that wrote the RDB: census, DUMP payloads, RESTORE and rendered commands.</summary>
public sealed class LiveRedisTests : IClassFixture<LiveDataset>
{
    private readonly LiveDataset _data;

    public LiveRedisTests(LiveDataset data) => _data = data;

    [Fact]
    public async Task Census_matches_what_the_server_reports()
    {
        RdbCensus census = await RdbVerifier.VerifyAsync(new MemoryStream(_data.Rdb), new RdbVerifyOptions { LargestKeys = 3 });
        Assert.Equal(10, census.RdbVersion);
        Assert.True(census.ChecksumVerified);
        Assert.Equal("7.0.15", census.RedisVersion);
        Assert.Equal(_data.Rdb.Length, census.Bytes);
        Assert.Equal(["dcsdlib"], census.FunctionLibraries);

        string keyspace = (await _data.Redis.Admin.InfoRawAsync("keyspace"))!;
        Assert.Equal(LiveDataset.Databases, census.Databases.Select(d => d.Db));
        foreach (RdbDatabaseCensus db in census.Databases)
        {
            Assert.Equal(await _data.Redis.Db(db.Db).ExecuteAsync("DBSIZE") is var size ? (long)size : -1, db.Keys);
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"db{db.Db}:keys={db.Keys},expires={db.Expires},"), keyspace, StringComparison.Ordinal);
            Assert.Equal(0, db.AlreadyExpired);
        }

        // Types and encodings, as TYPE and OBJECT ENCODING report them for every key.
        var types = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var encodings = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (int dbNumber in LiveDataset.Databases)
        {
            IDatabase db = _data.Redis.Db(dbNumber);
            await foreach (RedisKey key in _data.Redis.Admin.KeysAsync(dbNumber, pageSize: 1000))
            {
                string type = (string)(await db.ExecuteAsync("TYPE", key))!;
                string encoding = (string)(await db.ExecuteAsync("OBJECT", "ENCODING", key))!;
                types[type] = types.GetValueOrDefault(type) + 1;
                string name = type + "/" + (type == "string" ? "string" : encoding); // embstr, int, raw: all one RDB string
                encodings[name] = encodings.GetValueOrDefault(name) + 1;
            }
        }

        Assert.Equal(types, census.Types.ToDictionary());
        Assert.Equal(
            string.Join(", ", encodings.Select(e => $"{e.Key}={e.Value}")),
            string.Join(", ", census.Encodings.GroupBy(e => ServerEncoding(e.Key)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Sum(e => e.Value)}")));
        Assert.Equal("str:big-random", census.Largest[0].Key);
        Assert.True(census.Largest[0].Size > 3_000_000);
    }

    [Fact]
    public void Fast_path_and_general_path_agree()
    {
        // LargestKeys = 0 lets the small-string fast path take nearly every key; a huge top-N forces the general path.
        RdbCensus fast = RdbVerifier.Verify(new MemoryStream(_data.Rdb), new RdbVerifyOptions { LargestKeys = 0 });
        RdbCensus general = RdbVerifier.Verify(new MemoryStream(_data.Rdb), new RdbVerifyOptions { LargestKeys = 100_000 });
        Assert.Equal(general.TotalKeys, fast.TotalKeys);
        Assert.Equal(general.Types, fast.Types);
        Assert.Equal(general.Encodings, fast.Encodings);
        Assert.Equal(
            general.Databases.Select(d => (d.Db, d.Keys, d.Expires, d.AlreadyExpired, d.EmptyKeys)),
            fast.Databases.Select(d => (d.Db, d.Keys, d.Expires, d.AlreadyExpired, d.EmptyKeys)));
        Assert.Equal(general.TotalKeys, general.Largest.Count);
        Assert.Empty(fast.Largest);

        // A clock set far ahead counts every key with a TTL as already expired.
        RdbCensus later = RdbVerifier.Verify(new MemoryStream(_data.Rdb), new RdbVerifyOptions { LargestKeys = 0, Now = DateTimeOffset.UtcNow.AddYears(1) });
        Assert.All(later.Databases, d => Assert.Equal(d.Expires, d.AlreadyExpired));
        Assert.True(later.Databases.Sum(d => d.AlreadyExpired) > 20);
    }

    /// <summary>
    /// Hashtable-encoded values are written in dict iteration order, which incremental rehashing changes between
    /// SAVE and a later DUMP: for those the content is compared, not the bytes.
    /// </summary>
    private static bool IsHashtable(RdbObjectType type) => type is RdbObjectType.Set or RdbObjectType.Hash or RdbObjectType.SortedSet2;

    /// <summary>Our names follow the RDB type; OBJECT ENCODING names the in-memory encoding.</summary>
    private static string ServerEncoding(string ours) => ours switch
    {
        "list/quicklist2" => "list/quicklist",
        "zset/skiplist2" => "zset/skiplist",
        "stream/listpacks2" => "stream/stream",
        _ => ours,
    };

    [Fact]
    public async Task Dump_payloads_equal_DUMP_and_restore_on_a_fresh_server()
    {
        await using TestRedis target = await TestRedis.StartAsync();
        using var reader = new RdbReader(new MemoryStream(_data.Rdb));
        int keys = 0;
        bool sawIdle = false;
        while (reader.Read() is { } entry)
        {
            byte[] payload = entry.ReadDumpPayload();
            byte[] expected = (byte[])(await _data.Redis.Db(entry.Db).ExecuteAsync("DUMP", entry.Key))!;
            if (!IsHashtable(entry.Type))
            {
                Assert.True(expected.AsSpan().SequenceEqual(payload), $"DUMP of {Encoding.UTF8.GetString(entry.Key)} ({entry.Type}) differs");
            }
            Assert.True(DumpPayload.HasValidChecksum(payload));
            sawIdle |= entry.IdleSeconds is not null;

            IDatabase db = target.Db(entry.Db);
            await db.ExecuteAsync("RESTORE", entry.Key, entry.ExpiresAtMs ?? 0, payload, "ABSTTL");
            Assert.Equal(await LiveContent.DescribeAsync(_data.Redis.Db(entry.Db), entry.Key), await LiveContent.DescribeAsync(db, entry.Key));
            if (entry.ExpiresAtMs is long at)
            {
                long pexpireTime = (long)await db.ExecuteAsync("PEXPIRETIME", entry.Key);
                Assert.Equal(at, pexpireTime);
            }

            keys++;
        }

        Assert.True(reader.ChecksumVerified);
        Assert.True(sawIdle, "an LRU server writes IDLE for every key");
        Assert.Equal(keys, LiveDataset.Databases.Sum(d => (long)_data.Redis.Db(d).Execute("DBSIZE")));
    }

    [Fact]
    public async Task Rendered_commands_rebuild_every_value()
    {
        await using TestRedis target = await TestRedis.StartAsync();
        using var reader = new RdbReader(new MemoryStream(_data.Rdb), new RdbReaderOptions { ChunkMaxItems = 13, ChunkMaxBytes = 100_000 });
        var options = new RdbRenderOptions { MaxArguments = 20, MaxBytes = 50_000 };
        int commands = 0;
        while (reader.Read() is { } entry)
        {
            IDatabase db = target.Db(entry.Db);
            foreach (IReadOnlyList<byte[]> command in RdbCommandRenderer.Render(entry.Key, entry.ReadChunks(), options))
            {
                Assert.True(command.Count <= options.MaxArguments || command[0].AsSpan().SequenceEqual("XADD"u8));
                await db.ExecuteAsync(Encoding.ASCII.GetString(command[0]), command.Skip(1).Select(a => (object)a).ToArray());
                commands++;
            }

            if (entry.ExpiresAtMs is long at)
            {
                IReadOnlyList<byte[]> expire = RdbCommandRenderer.ExpireAt(entry.Key, at);
                await db.ExecuteAsync("PEXPIREAT", expire[1], expire[2]);
            }

            Assert.Equal(await LiveContent.DescribeAsync(_data.Redis.Db(entry.Db), entry.Key), await LiveContent.DescribeAsync(db, entry.Key));
        }

        Assert.True(commands > 100);
    }

    [Fact]
    public async Task Threshold_gives_payloads_for_small_values_and_streams_big_ones()
    {
        await using TestRedis target = await TestRedis.StartAsync();
        using var reader = new RdbReader(new MemoryStream(_data.Rdb), new RdbReaderOptions { ChunkMaxItems = 50, ChunkMaxBytes = 64 * 1024 });
        int payloads = 0;
        int streamed = 0;
        while (reader.Read() is { } entry)
        {
            RdbValue value = entry.ReadValue(dumpThreshold: 2000);
            IDatabase db = target.Db(entry.Db);
            if (value.DumpPayload is { } payload)
            {
                Assert.True(payload.Length <= 2000 + 11);
                if (!IsHashtable(entry.Type))
                {
                    Assert.Equal((byte[])(await _data.Redis.Db(entry.Db).ExecuteAsync("DUMP", entry.Key))!, payload);
                }

                await db.ExecuteAsync("RESTORE", entry.Key, 0, payload);
                payloads++;
            }
            else
            {
                foreach (IReadOnlyList<byte[]> command in RdbCommandRenderer.Render(entry.Key, value.Chunks!))
                {
                    await db.ExecuteAsync(Encoding.ASCII.GetString(command[0]), command.Skip(1).Select(a => (object)a).ToArray());
                }

                streamed++;
            }

            Assert.Equal(await LiveContent.DescribeAsync(_data.Redis.Db(entry.Db), entry.Key, withTtl: false), await LiveContent.DescribeAsync(db, entry.Key, withTtl: false));
        }

        Assert.True(payloads > 50 && streamed >= 5, $"{payloads} payloads, {streamed} streamed");
    }
}
