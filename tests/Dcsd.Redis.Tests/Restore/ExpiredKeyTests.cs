using Dcsd.Rdb;
using Dcsd.Redis.Restore;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Restore;

public sealed class ExpiredKeyTests
{
    private const int LiveKeys = 6;

    [Fact]
    public async Task Keys_expired_in_the_file_are_not_brought_back_by_either_engine()
    {
        using var directory = new TempDirectory("dcsd-restore-expired");
        string path = directory.Combine("dump.rdb");
        await using (var source = await TestRedis.StartAsync())
        {
            // Without active expiry the short-lived keys stay in memory past their time and SAVE writes them out.
            await source.Db().ExecuteAsync("DEBUG", "SET-ACTIVE-EXPIRE", "0");
            for (int db = 0; db < 2; db++)
            {
                await source.Db(db).StringSetAsync($"live:{db}", "stays");
                await source.Db(db).StringSetAsync($"live-ttl:{db}", "stays", TimeSpan.FromHours(1));
                await source.Db(db).HashSetAsync($"live-hash:{db}", "f", "v");
                for (int i = 0; i < 50; i++)
                {
                    await source.Db(db).StringSetAsync($"dying:{db}:{i}", "soon gone", TimeSpan.FromMilliseconds(100));
                }
            }

            await Task.Delay(200);
            await source.Db().ExecuteAsync("SAVE");
            File.Copy(Path.Combine(source.Server.Directory, "dump.rdb"), path);
        }

        Assert.Equal(100, CountExpiredEntries(path)); // the file really holds them, already expired

        await using var viaCommands = await TestRedis.StartAsync();
        await using (var file = File.OpenRead(path))
        {
            RestoreResult result = await CommandRestore.RunAsync(file, RoundTripTests.Target(viaCommands), null, null, CancellationToken.None);
            Assert.Equal(LiveKeys, result.Keys);
        }

        await using var viaReplication = await TestRedis.StartAsync();
        await using (var file = File.OpenRead(path))
        {
            RestoreResult result = await ReplicationRestore.RunAsync(file, file.Length, RoundTripTests.Target(viaReplication), null, CancellationToken.None);
            Assert.Equal(LiveKeys, result.Keys);
        }

        foreach (TestRedis target in new[] { viaCommands, viaReplication })
        {
            // DBSIZE counts keys that are expired but not yet evicted: it must already be exact.
            Assert.Equal(LiveKeys / 2, await target.Admin.DatabaseSizeAsync(0));
            Assert.Equal(LiveKeys / 2, await target.Admin.DatabaseSizeAsync(1));
            Assert.True(await target.Db(1).KeyTimeToLiveAsync("live-ttl:1") > TimeSpan.FromMinutes(59));
        }
    }

    private static int CountExpiredEntries(string path)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var file = File.OpenRead(path);
        using var reader = new RdbReader(file);
        int expired = 0;
        while (reader.Read() is { } entry)
        {
            expired += entry.ExpiresAtMs < now ? 1 : 0;
        }

        return expired;
    }
}
