using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Redis.Tests.Restore;

internal static class RestoreAssertions
{
    /// <summary>Puts keys in several databases and a function library on a target, all of which a restore must remove.</summary>
    public static async Task WriteStaleContentAsync(TestRedis target)
    {
        for (int db = 0; db < 4; db++)
        {
            await target.Db(db).StringSetAsync($"stale:{db}", "must be gone");
            await target.Db(db).ListRightPushAsync($"stale-list:{db}", ["x", "y"]);
        }

        // Same key name as in the backup, different type: REPLACE must win.
        await target.Db(0).SetAddAsync("db0:string:small", "wrong-type");
        await target.Db().ExecuteAsync("FUNCTION", "LOAD", "#!lua name=stalelib\nredis.register_function('stale_fn', function() return 1 end)");
    }

    public static async Task AssertSameAsSourceAsync(RestoreSourceFixture source, TestRedis target)
    {
        var actual = await LogicalDump.TakeAsync(target.Connection, target.EndPoint);
        Assert.Equal(source.Expected.Count, actual.Count);
        Assert.Equal(source.Expected, actual);
        await AssertFunctionsAsync(target);
    }

    public static async Task AssertFunctionsAsync(TestRedis target)
    {
        var libraries = (RedisResult[])(await target.Db().ExecuteAsync("FUNCTION", "LIST"))!;
        string[] names = [.. libraries.Select(l => (string)((RedisResult[])l!)[1]!)];
        Assert.Equal(["dcsdlib"], names);
        Assert.Equal("hello", (string?)await target.Db().ExecuteAsync("FCALL_RO", "dcsd_echo", 0, "hello"));
    }
}
