using System.Security.Cryptography;
using Dcsd.Redis.Restore;
using Dcsd.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Dcsd.Redis.Tests.Restore;

[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>Runs alone: it measures this process's managed heap, which other tests would disturb.</summary>
[Collection(nameof(RunsAlone))]
public sealed class BigValueTests
{
    private const int StringBytes = 64 << 20;
    private const int ZsetMembers = 1_000_000;

    // What the restore holds is set by the 8 MB threshold, not by the value: the capture buffer (up to the threshold),
    // the chunks RdbReader decoded while finding the value too big (for a zset of short members about 3× their serialized
    // size as objects), one 4 MB native batch and the socket buffer. Measured: ~48 MB live for this 89 MB file.
    private const long MaxHeapGrowth = 7 * (8L << 20);

    private readonly ITestOutputHelper _output;

    public BigValueTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task A_64_MB_string_and_a_million_member_zset_go_as_native_batches_with_bounded_memory()
    {
        using var directory = new TempDirectory("dcsd-restore-big");
        string path = directory.Combine("dump.rdb");
        var setup = System.Diagnostics.Stopwatch.StartNew();
        await using var source = await TestRedis.StartAsync();
        await WriteBigValuesAsync(source.Db());
        await source.Db().ExecuteAsync("SAVE");
        _output.WriteLine($"source written and saved in {setup.Elapsed.TotalSeconds:F1} s");
        File.Copy(Path.Combine(source.Server.Directory, "dump.rdb"), path);
        await using var target = await TestRedis.StartAsync();

        // Live managed memory: sampled with a full collection every 200 ms, so garbage the GC has not yet reclaimed
        // (large-object-heap pieces of the big string) does not count, only what the restore holds at that moment.
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = baseline;
        using var current = System.Diagnostics.Process.GetCurrentProcess();
        long workingSetBefore = current.WorkingSet64;
        long peakWorkingSet = workingSetBefore;
        using var sampling = new CancellationTokenSource();
        Task sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                GC.Collect();
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                current.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, current.WorkingSet64);
                await Task.Delay(200);
            }
        });

        RestoreResult result;
        await using (var file = File.OpenRead(path))
        {
            result = await CommandRestore.RunAsync(file, RoundTripTests.Target(target), new CommandRestoreOptions { BigValueThreshold = 8 << 20 }, null, CancellationToken.None);
        }

        await sampling.CancelAsync();
        await sampler;
        long growth = peak - baseline;
        _output.WriteLine($"restored {result.Bytes / 1e6:F1} MB RDB in {result.Elapsed.TotalSeconds:F2} s; peak live managed memory growth {growth / 1e6:F1} MB, working set growth {(peakWorkingSet - workingSetBefore) / 1e6:F1} MB");

        Assert.Equal(2, result.Keys);
        Assert.InRange(growth, 0, MaxHeapGrowth);
        foreach (string key in new[] { "big:string", "big:zset" })
        {
            // DEBUG DIGEST-VALUE hashes the whole value server-side: equal digests, equal values.
            Assert.Equal((string?)await source.Db().ExecuteAsync("DEBUG", "DIGEST-VALUE", key), (string?)await target.Db().ExecuteAsync("DEBUG", "DIGEST-VALUE", key));
        }

        Assert.Equal(ZsetMembers, await target.Db().SortedSetLengthAsync("big:zset"));
        Assert.Equal(StringBytes, await target.Db().StringLengthAsync("big:string"));
        Assert.Empty(await target.Admin.KeysAsync(pattern: "dcsd-restore-tmp:*").ToListAsync());
    }

    private static async Task WriteBigValuesAsync(IDatabase db)
    {
        // Random bytes so LZF cannot shrink the string below the threshold in the RDB.
        byte[] piece = new byte[4 << 20];
        for (int i = 0; i < StringBytes / piece.Length; i++)
        {
            RandomNumberGenerator.Fill(piece);
            await db.StringAppendAsync("big:string", piece);
        }

        // Server-side, so the test does not spend its time building a million entries client-side.
        await db.ScriptEvaluateAsync(
            "for i = 0, tonumber(ARGV[1]) - 1 do redis.call('ZADD', KEYS[1], i * 0.5, 'member:' .. i) end",
            ["big:zset"],
            [ZsetMembers]);
    }
}
