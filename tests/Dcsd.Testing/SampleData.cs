using StackExchange.Redis;

namespace Dcsd.Testing;

/// <summary>Writes every data type across its small and large encodings, with TTLs, binary keys and values, in several databases.</summary>
public static class SampleData
{
    public static async Task WriteEveryTypeAsync(ConnectionMultiplexer connection, int databases = 3)
    {
        for (int dbIndex = 0; dbIndex < databases; dbIndex++)
        {
            var db = connection.GetDatabase(dbIndex);
            string p = $"db{dbIndex}:";
            var writes = new List<Task>
            {
                db.StringSetAsync(p + "string:small", "hello"),
                db.StringSetAsync(p + "string:int", 12345),
                db.StringSetAsync(p + "string:big", new string('x', 100_000)),
                db.StringSetAsync(p + "string:ttl", "short-lived", TimeSpan.FromHours(2)),
                db.StringSetAsync(new RedisKey(p).Append(new byte[] { 0, 255, 10, 13 }), new byte[] { 1, 2, 3, 0, 254 }),
                db.ListRightPushAsync(p + "list:small", ["a", "b", "c"]),
                db.ListRightPushAsync(p + "list:big", [.. Enumerable.Range(0, 2000).Select(i => (RedisValue)("item-" + i))]),
                db.SetAddAsync(p + "set:ints", [.. Enumerable.Range(0, 100).Select(i => (RedisValue)i)]),
                db.SetAddAsync(p + "set:small", ["x", "y", "z"]),
                db.SetAddAsync(p + "set:big", [.. Enumerable.Range(0, 1000).Select(i => (RedisValue)("member-" + i))]),
                db.SortedSetAddAsync(p + "zset:small", [new("a", 1.5), new("b", -2), new("c", 3e10)]),
                db.SortedSetAddAsync(p + "zset:big", [.. Enumerable.Range(0, 1000).Select(i => new SortedSetEntry("m" + i, i / 3.0))]),
                db.HashSetAsync(p + "hash:small", [new("f1", "v1"), new("f2", 2)]),
                db.HashSetAsync(p + "hash:big", [.. Enumerable.Range(0, 1000).Select(i => new HashEntry("field" + i, "value" + i))]),
                db.HashSetAsync(p + "hash:ttl", [new("f", "v")]),
            };
            await Task.WhenAll(writes);
            await db.KeyExpireAsync(p + "hash:ttl", TimeSpan.FromDays(3));

            string stream = p + "stream";
            for (int i = 0; i < 50; i++)
            {
                await db.StreamAddAsync(stream, [new("n", i), new("kind", i % 2 == 0 ? "even" : "odd")]);
            }

            await db.StreamCreateConsumerGroupAsync(stream, "workers", "0-0");
            await db.StreamReadGroupAsync(stream, "workers", "alice", ">", count: 10);
            await db.StreamReadGroupAsync(stream, "workers", "bob", ">", count: 5);
            await db.StreamCreateConsumerGroupAsync(stream, "auditors", "$");
        }
    }

    /// <summary>Many small string keys, pipelined.</summary>
    public static async Task WriteManyStringsAsync(ConnectionMultiplexer connection, int count, int valueSize = 32)
    {
        var db = connection.GetDatabase();
        string value = new('v', valueSize);
        const int Batch = 10_000;
        for (int start = 0; start < count; start += Batch)
        {
            var writes = new List<Task>(Batch);
            for (int i = start; i < Math.Min(count, start + Batch); i++)
            {
                writes.Add(db.StringSetAsync("key:" + i, value, flags: CommandFlags.FireAndForget));
            }

            await Task.WhenAll(writes);
            await db.PingAsync();
        }
    }
}
