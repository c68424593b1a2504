using System.Globalization;
using Dcsd.Testing;

namespace Dcsd.Rdb.Tests;

/// <summary>For every fixture the local redis-server can load, our census agrees with what the server reports after loading it.</summary>
public sealed class FixtureCensusTests
{
    /// <summary>Fixtures we read (their expected content says so) but redis-server 7.0 refuses, and why.</summary>
    private static readonly Dictionary<string, string> RefusedByRedis = new(StringComparer.Ordinal)
    {
        ["HDT3213-rdb/zipmap_big_len.rdb"] = "zipmap count byte 255: Redis only accepts the exact count or 254 (unknown) and aborts",
    };

    [Fact]
    public async Task Census_equals_the_servers_view_for_every_loadable_fixture()
    {
        await using TestRedis redis = await TestRedis.StartAsync();
        await using TestRedis target = await TestRedis.StartAsync();
        string dumpPath = Path.Combine(redis.Server.Directory, "dump.rdb");
        var checkedFiles = new List<string>();
        foreach (string path in Directory.EnumerateFiles(SharedFiles.RdbFixtures, "*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".rdb", StringComparison.Ordinal) || p.EndsWith("preamble.aof", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal))
        {
            RdbCensus census;
            await using (FileStream file = File.OpenRead(path))
            {
                try
                {
                    census = await RdbVerifier.VerifyAsync(file);
                }
                catch (RdbFormatException)
                {
                    continue; // the deliberately broken fixtures; FixtureVerificationTests covers them
                }
            }

            // redis-server 7.0 writes RDB 10: it refuses newer files, and module data without its module.
            if (census.RdbVersion > 10 || census.Flavor != "redis" || census.Modules.Count > 0
                || RefusedByRedis.ContainsKey(Path.GetRelativePath(SharedFiles.RdbFixtures, path)))
            {
                continue;
            }

            File.Copy(path, dumpPath, overwrite: true);
            await redis.Admin.ExecuteAsync("FUNCTION", "FLUSH");
            string name = Path.GetRelativePath(SharedFiles.RdbFixtures, path);
            try
            {
                await redis.Admin.ExecuteAsync("DEBUG", "RELOAD", "NOSAVE");
            }
            catch (StackExchange.Redis.RedisServerException e)
            {
                string log = File.ReadAllLines(Path.Combine(redis.Server.Directory, "redis.log")).TakeLast(3).Aggregate(string.Empty, (a, b) => a + " | " + b);
                Assert.Fail($"{name}: {e.Message} {log}");
            }

            string keyspace = (await redis.Admin.InfoRawAsync("keyspace"))!;
            long serverTotal = 0;
            foreach (RdbDatabaseCensus db in census.Databases)
            {
                // A master drops empty collections and keys whose TTL has passed while loading.
                long expectedKeys = db.Keys - db.EmptyKeys - db.AlreadyExpired;
                long size = (long)await redis.Db(db.Db).ExecuteAsync("DBSIZE");
                Assert.True(expectedKeys == size, $"{name} db{db.Db}: census {expectedKeys} keys, server {size}");
                serverTotal += size;
                if (size > 0)
                {
                    Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"db{db.Db}:keys={size},expires={db.Expires - db.AlreadyExpired},"), keyspace, StringComparison.Ordinal);
                }
            }

            Assert.Equal(serverTotal, keyspace.Split('\n').Where(l => l.StartsWith("db", StringComparison.Ordinal))
                .Sum(l => long.Parse(l.Split("keys=")[1].Split(',')[0], CultureInfo.InvariantCulture)));
            var functions = (StackExchange.Redis.RedisResult[])(await redis.Admin.ExecuteAsync("FUNCTION", "LIST"))!;
            Assert.True(census.Functions == functions.Length, $"{name}: {census.Functions} function libraries, server {functions.Length}");
            await RestoredPayloadsEqualLoadedKeysAsync(path, redis, target);
            checkedFiles.Add(name);
        }

        Assert.True(checkedFiles.Count >= 80, $"only {checkedFiles.Count} fixtures were loadable");
    }

    /// <summary>
    /// Our DUMP payload of every key, RESTOREd into a second server, holds what the first server loaded from
    /// the file itself (old encodings such as zipmap and ziplist included).
    /// </summary>
    private static async Task RestoredPayloadsEqualLoadedKeysAsync(string path, TestRedis source, TestRedis target)
    {
        await target.Admin.ExecuteAsync("FLUSHALL");
        await using FileStream file = File.OpenRead(path);
        using var reader = new RdbReader(file);
        while (reader.Read() is { } entry)
        {
            byte[] payload = entry.ReadDumpPayload();
            StackExchange.Redis.IDatabase loaded = source.Db(entry.Db);
            if (!await loaded.KeyExistsAsync(entry.Key))
            {
                continue; // an empty collection or an expired key, which the server dropped while loading
            }

            StackExchange.Redis.IDatabase restored = target.Db(entry.Db);
            await restored.ExecuteAsync("RESTORE", entry.Key, entry.ExpiresAtMs ?? 0, payload, "ABSTTL");
            Assert.Equal(await LiveContent.DescribeAsync(loaded, entry.Key), await LiveContent.DescribeAsync(restored, entry.Key));
        }
    }
}
