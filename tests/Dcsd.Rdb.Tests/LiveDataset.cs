using System.Globalization;
using System.Text;
using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Rdb.Tests;

/// <summary>
/// A redis-server filled with every type on both sides of its encoding thresholds (small/compact and big/hashtable),
/// LZF-compressed strings and quicklist nodes, TTLs, three databases, a function library and streams with groups,
/// saved to an RDB at run time. Shared by the tests of one class.
/// </summary>
public sealed class LiveDataset : IAsyncLifetime
{
    public TestRedis Redis { get; private set; } = null!;

    public byte[] Rdb { get; private set; } = [];

    public static readonly int[] Databases = [0, 1, 5];

    public async Task InitializeAsync()
    {
        Redis = await TestRedis.StartAsync(configLines: ["list-compress-depth 1", "maxmemory-policy allkeys-lru", "rdbcompression yes"]);
        await PopulateAsync(Redis);
        await Redis.Admin.ExecuteAsync("SAVE");
        Rdb = await File.ReadAllBytesAsync(Path.Combine(Redis.Server.Directory, "dump.rdb"));
    }

    public async Task DisposeAsync() => await Redis.DisposeAsync();

    private static async Task PopulateAsync(TestRedis redis)
    {
        var random = new Random(7);
        IDatabase db = redis.Db(0);
        var batch = new List<Task>();
        await db.StringSetAsync("str:int", 12345);
        await db.StringSetAsync("str:negative", -7);
        await db.StringSetAsync("str:short", "hello");
        await db.StringSetAsync("str:raw", new string('x', 30) + "y" + new string('z', 3));
        await db.StringSetAsync("str:compressible", new string('a', 1000));
        await db.StringSetAsync("str:big-compressible", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 200_000).Select(i => (i % 97).ToString(CultureInfo.InvariantCulture)))));
        byte[] noise = new byte[3_000_000];
        random.NextBytes(noise);
        await db.StringSetAsync("str:big-random", noise);
        await db.StringSetAsync(new byte[] { 0, 1, 0xFF, 0xFE, (byte)'k' }, new byte[] { 0, 0, 10, 13, 0xC3 });
        await db.StringSetAsync("str:empty", string.Empty);

        await db.ListRightPushAsync("list:small", ["1", "two", "3", "-4", "5000000000"]);
        await db.ListRightPushAsync("list:big", Enumerable.Range(0, 3000).Select(i => (RedisValue)("item-" + (i % 50) + "-" + new string('q', i % 40))).ToArray());
        await db.ListRightPushAsync("list:bigitem", [new string('L', 20_000), "tail", new string('M', 70_000)]);

        await db.SetAddAsync("set:intset", Enumerable.Range(0, 10).Select(i => (RedisValue)(i * 1000 - 3)).ToArray());
        await db.SetAddAsync("set:intset64", [5_000_000_000L, -5_000_000_000L, 1]);
        await db.SetAddAsync("set:big-ints", Enumerable.Range(0, 600).Select(i => (RedisValue)i).ToArray());
        await db.SetAddAsync("set:strings", ["a", "b", "c", "dd"]);
        await db.SetAddAsync("set:big-strings", Enumerable.Range(0, 700).Select(i => (RedisValue)("m" + i)).ToArray());

        await db.SortedSetAddAsync("zset:small", [new("a", 1), new("b", 2.5), new("c", -3.25), new("inf", double.PositiveInfinity), new("ninf", double.NegativeInfinity)]);
        await db.SortedSetAddAsync("zset:big", Enumerable.Range(0, 300).Select(i => new SortedSetEntry("z" + i, (i * 1.1) - 100)).ToArray());
        await db.SortedSetAddAsync("zset:long-member", [new(new string('w', 100), 1), new("x", 0.1)]);

        await db.HashSetAsync("hash:small", [new("f1", "v1"), new("f2", "2"), new("n", 12345678)]);
        await db.HashSetAsync("hash:big", Enumerable.Range(0, 600).Select(i => new HashEntry("field" + i, "value" + i)).ToArray());
        await db.HashSetAsync("hash:long-value", [new("k", new string('h', 100)), new("j", "short")]);

        // Streams: plain, with deletions, with groups/consumers/pending, trimmed, and empty (all deleted).
        for (int i = 1; i <= 150; i++)
        {
            await db.StreamAddAsync("stream:plain", [new("n", i), new("sq", i * i)], $"{1000 + i}-{i % 3}");
        }

        for (int i = 0; i < 20; i++)
        {
            await db.StreamAddAsync("stream:groups", i % 2 == 0 ? [new("a", i), new("b", "x")] : [new("other", i)]);
        }

        StreamEntry[] all = await db.StreamRangeAsync("stream:groups");
        await db.StreamDeleteAsync("stream:groups", [all[3].Id, all[4].Id]);
        await db.StreamCreateConsumerGroupAsync("stream:groups", "g1", "0-0");
        await db.StreamCreateConsumerGroupAsync("stream:groups", "g2", "$");
        await db.StreamReadGroupAsync("stream:groups", "g1", "alice", ">", 5);
        await db.StreamReadGroupAsync("stream:groups", "g1", "bob", ">", 4);
        await db.StreamAcknowledgeAsync("stream:groups", "g1", all[0].Id);
        await db.ExecuteAsync("XGROUP", "CREATECONSUMER", "stream:groups", "g2", "idle-carol");
        await db.StreamAddAsync("stream:empty", "f", "v", "5-5");
        await db.StreamDeleteAsync("stream:empty", ["5-5"]);
        await db.ExecuteAsync("XGROUP", "CREATE", "stream:mk", "g", "$", "MKSTREAM");
        for (int i = 0; i < 50; i++)
        {
            await db.StreamAddAsync("stream:trimmed", "i", i, maxLength: 10, useApproximateMaxLength: false);
        }

        long soon = DateTimeOffset.UtcNow.AddHours(3).ToUnixTimeMilliseconds();
        foreach (string key in new[] { "str:short", "list:small", "hash:big", "stream:plain" })
        {
            await db.ExecuteAsync("PEXPIREAT", key, soon);
        }

        IDatabase db1 = redis.Db(1);
        await db1.StringSetAsync("one:a", "1");
        await db1.StringSetAsync("one:b", "2", TimeSpan.FromHours(1));
        await db1.SetAddAsync("one:set", ["x", "y"]);
        IDatabase db5 = redis.Db(5);
        for (int i = 0; i < 100; i++)
        {
            batch.Add(i % 4 == 0 ? db5.StringSetAsync("five:" + i, i * 3, TimeSpan.FromMinutes(30 + i)) : db5.StringSetAsync("five:" + i, i * 3));
        }

        await Task.WhenAll(batch);
        await db.ExecuteAsync("FUNCTION", "LOAD", "#!lua name=dcsdlib\nredis.register_function('dcsd_hello', function(keys, args) return 'hello' end)");
    }
}
