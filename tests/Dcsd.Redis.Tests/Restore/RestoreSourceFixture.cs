using Dcsd.Testing;
using StackExchange.Redis;

namespace Dcsd.Redis.Tests.Restore;

/// <summary>
/// One RDB made by a real redis-server: every type and encoding (SampleData), a function library, and an LFU policy so
/// the file carries FREQ for each key; plus the source's logical dump and the hot key's LFU counter to compare against.
/// </summary>
public sealed class RestoreSourceFixture : IAsyncLifetime
{
    public const string Library = "#!lua name=dcsdlib\nredis.register_function{function_name='dcsd_echo', callback=function(keys, args) return args[1] end, flags={'no-writes'}}";
    public const string HotKey = "db0:string:small";

    private readonly TempDirectory _directory = new("dcsd-restore-src");

    public string RdbPath => _directory.Combine("dump.rdb");

    public SortedDictionary<string, string> Expected { get; private set; } = [];

    public long HotKeyFrequency { get; private set; }

    public async Task InitializeAsync()
    {
        await using var source = await TestRedis.StartAsync(configLines: ["maxmemory-policy allkeys-lfu", "lfu-decay-time 0"]);
        await SampleData.WriteEveryTypeAsync(source.Connection);
        await source.Db().ExecuteAsync("FUNCTION", "LOAD", Library);
        for (int i = 0; i < 200; i++)
        {
            await source.Db().StringGetAsync(HotKey);
        }

        Expected = await LogicalDump.TakeAsync(source.Connection, source.EndPoint);

        // After the dump: its reads may bump the (logarithmic, probabilistic) counter; OBJECT FREQ itself does not.
        HotKeyFrequency = (long)await source.Db().ExecuteAsync("OBJECT", "FREQ", HotKey);
        await source.Db().ExecuteAsync("SAVE");
        File.Copy(Path.Combine(source.Server.Directory, "dump.rdb"), RdbPath);
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}
