using System.Globalization;
using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Redis.Tests.Replication;

/// <summary>Seeds every value type into several databases, loads RDB files into servers, and compares servers key by key.</summary>
internal static class RedisData
{
    public static async Task SeedAsync(TestRedis redis, int populateKeys = 20_000)
    {
        var db0 = redis.Db(0);
        await db0.StringSetAsync("string:binary", new byte[] { 0, 1, 13, 10, 255, (byte)'x' });
        await db0.StringSetAsync("string:int", 12345);
        await db0.ListRightPushAsync("list", Enumerable.Range(0, 1000).Select(i => (RedisValue)("item-" + i)).ToArray());
        await db0.SetAddAsync("set:int", Enumerable.Range(0, 100).Select(i => (RedisValue)i).ToArray());
        await db0.SetAddAsync("set:str", Enumerable.Range(0, 200).Select(i => (RedisValue)("member-" + i)).ToArray());
        await db0.SortedSetAddAsync("zset:small", [new SortedSetEntry("a", 1.5), new SortedSetEntry("b", -2), new SortedSetEntry("c", double.PositiveInfinity)]);
        await db0.SortedSetAddAsync("zset:big", Enumerable.Range(0, 500).Select(i => new SortedSetEntry("m" + i, i * 0.25)).ToArray());
        await db0.HashSetAsync("hash:small", [new HashEntry("f1", "v1"), new HashEntry("f2", 2)]);
        await db0.HashSetAsync("hash:big", Enumerable.Range(0, 600).Select(i => new HashEntry("field-" + i, new string('v', i % 70))).ToArray());
        for (int i = 0; i < 50; i++)
        {
            await db0.StreamAddAsync("stream", [new NameValueEntry("n", i), new NameValueEntry("text", "entry " + i)]);
        }

        await db0.StreamCreateConsumerGroupAsync("stream", "group", StreamPosition.Beginning);
        await db0.StreamReadGroupAsync("stream", "group", "consumer-1", StreamPosition.NewMessages, count: 10);
        await db0.StreamAcknowledgeAsync("stream", "group", (await db0.StreamPendingMessagesAsync("stream", "group", 1, "consumer-1"))[0].MessageId);
        await db0.StringSetAsync("expiring:string", "soon", TimeSpan.FromHours(1));
        await db0.ListRightPushAsync("expiring:list", ["a", "b"]);
        await db0.KeyExpireAsync("expiring:list", TimeSpan.FromHours(2));
        if (populateKeys > 0)
        {
            // Enough volume (about 2.5 MB) to span several receive chunks in both transfer modes.
            await redis.Admin.ExecuteAsync("DEBUG", "POPULATE", populateKeys.ToString(CultureInfo.InvariantCulture), "pop", "100");
        }

        var db1 = redis.Db(1);
        await db1.StringSetAsync("db1:string", "one");
        await db1.HashSetAsync("db1:hash", "f", "v");
        var db5 = redis.Db(5);
        await db5.SetAddAsync("db5:set", ["x", "y"]);
        await db5.StringSetAsync("db5:expiring", "v", TimeSpan.FromMinutes(30));
    }

    /// <summary>Loads <paramref name="rdbPath"/> into <paramref name="redis"/> with DEBUG RELOAD NOSAVE, replacing its data.</summary>
    public static async Task LoadAsync(TestRedis redis, string rdbPath)
    {
        File.Copy(rdbPath, Path.Combine(redis.Server.Directory, "dump.rdb"), overwrite: true);
        var reply = await redis.Admin.ExecuteAsync("DEBUG", "RELOAD", "NOSAVE");
        Assert.Equal("OK", reply.ToString());
    }

    /// <summary>Asserts both servers hold the same keys with the same values and identical expiry times.</summary>
    public static async Task AssertSameAsync(TestRedis expected, TestRedis actual, int databases = 16)
    {
        int compared = 0;
        for (int db = 0; db < databases; db++)
        {
            var expectedKeys = await KeysAsync(expected, db);
            var actualKeys = await KeysAsync(actual, db);
            Assert.Equal(expectedKeys, actualKeys);
            foreach (var batch in expectedKeys.Chunk(2000))
            {
                var expectedValues = batch.Select(k => DescribeAsync(expected.Db(db), k)).ToArray();
                var actualValues = batch.Select(k => DescribeAsync(actual.Db(db), k)).ToArray();
                var expectedExpiry = batch.Select(k => expected.Db(db).ExecuteAsync("PEXPIRETIME", k)).ToArray();
                var actualExpiry = batch.Select(k => actual.Db(db).ExecuteAsync("PEXPIRETIME", k)).ToArray();
                for (int i = 0; i < batch.Length; i++)
                {
                    Assert.Equal(await expectedValues[i], await actualValues[i]);
                    Assert.Equal((long)await expectedExpiry[i], (long)await actualExpiry[i]);
                }
            }

            compared += expectedKeys.Length;
        }

        Assert.True(compared > 0, "nothing was compared");
    }

    /// <summary>
    /// A canonical text for one value. Hash tables iterate in an order that a reload may change, so sets and hashes
    /// are sorted; streams are compared by DUMP, which also covers consumer groups and their pending entries.
    /// </summary>
    private static async Task<string> DescribeAsync(IDatabase db, string key)
    {
        static string Hex(RedisValue value) => Convert.ToHexString((byte[])value!);
        RedisType type = await db.KeyTypeAsync(key);
        string value = type switch
        {
            RedisType.String => Hex(await db.StringGetAsync(key)),
            RedisType.List => string.Join(',', (await db.ListRangeAsync(key)).Select(Hex)),
            RedisType.Set => string.Join(',', (await db.SetMembersAsync(key)).Select(Hex).Order(StringComparer.Ordinal)),
            RedisType.SortedSet => string.Join(',', (await db.SortedSetRangeByRankWithScoresAsync(key)).Select(e => Hex(e.Element) + "=" + e.Score.ToString("R", CultureInfo.InvariantCulture))),
            RedisType.Hash => string.Join(',', (await db.HashGetAllAsync(key)).Select(e => Hex(e.Name) + "=" + Hex(e.Value)).Order(StringComparer.Ordinal)),
            RedisType.Stream => Convert.ToHexString((await db.KeyDumpAsync(key))!),
            _ => throw new InvalidOperationException($"unexpected type {type} for {key}"),
        };
        return type + ":" + value;
    }

    private static async Task<string[]> KeysAsync(TestRedis redis, int db)
    {
        var keys = new List<string>();
        await foreach (var key in redis.Admin.KeysAsync(db, "*", pageSize: 1000))
        {
            keys.Add(key.ToString());
        }

        keys.Sort(StringComparer.Ordinal);
        return [.. keys];
    }
}
