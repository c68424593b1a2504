using System.Diagnostics;
using System.Text;
using Dcsd.Redis.Cluster;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Restore;
using Dcsd.Redis.Topology;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Cluster;

public sealed class ClusterSnapshotRestoreTests(ClusterFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ClusterFixture>, IDisposable
{
    private readonly TempDirectory _files = new("dcsd-cluster-snap");

    public void Dispose() => _files.Dispose();

    private async Task<(ClusterSnapshotResult Result, List<string> Paths)> SnapshotSourceAsync(ClusterSnapshotOptions? options = null)
    {
        Deployment deployment = await fixture.Source.Cluster.DiscoverAsync(CancellationToken.None);
        string prefix = Guid.NewGuid().ToString("N")[..8];
        ClusterSnapshotResult result = await ClusterSnapshot.TakeAsync(
            deployment,
            ClusterFixture.Password,
            shard => File.Create(_files.Combine($"{prefix}-shard-{shard.Index}.rdb")),
            maxParallel: 2,
            options,
            CancellationToken.None);
        return (result, result.Shards.Select(shard => _files.Combine($"{prefix}-shard-{shard.Shard.Index}.rdb")).ToList());
    }

    [Fact]
    public async Task EachShardFileHoldsExactlyItsSlotsKeysAndTogetherTheyHoldEverything()
    {
        (ClusterSnapshotResult result, List<string> paths) = await SnapshotSourceAsync();
        Assert.Equal(3, result.Shards.Count);
        Assert.Null(result.ConsistentCut);
        Assert.True(fixture.Expected.Count > 3000);
        output.WriteLine($"snapshot of 3 shards ({fixture.Expected.Count} keys): {result.Elapsed.TotalMilliseconds:F0} ms, {string.Join('/', result.Shards.Select(s => s.Result.Bytes))} bytes");
        var all = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 3; i++)
        {
            ShardSnapshot shard = result.Shards[i];
            Assert.Equal(i, shard.Shard.Index);
            Assert.Equal(NodeRole.Replica, shard.Source.Role); // in sync on an idle cluster: the master is spared the fork
            Assert.Equal(new FileInfo(paths[i]).Length, shard.Result.Bytes);
            Assert.NotNull(shard.ReplicationId);
            var keys = ClusterFixture.KeysOf(paths[i]);
            Assert.NotEmpty(keys);
            Assert.All(keys, key => Assert.True(shard.Slots.Any(range => range.Contains(ClusterSlot.Of(key.Key))), $"{Encoding.UTF8.GetString(key.Key)} is outside {shard.Shard}"));
            Assert.All(keys, key => Assert.True(all.Add("0/" + Encoding.UTF8.GetString(key.Key)), "a key is in two files"));
        }

        Assert.Equal(fixture.Expected.Keys.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AConsistentCutPausesWritesOnlyUntilEveryShardHasForked()
    {
        var writer = fixture.Source.Connection.GetDatabase();
        using var stop = new CancellationTokenSource();
        long written = 0;

        // Writes keep arriving while the cut is taken; the files must still be one point in time per shard.
        Task writes = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await writer.StringSetAsync("cut:" + (written % 50), written);
                written++;
            }
        });
        try
        {
            (ClusterSnapshotResult result, _) = await SnapshotSourceAsync(new ClusterSnapshotOptions { WritePause = TimeSpan.FromSeconds(5) });
            Assert.True(result.ConsistentCut);
            output.WriteLine($"consistent cut of 3 shards: writes paused {result.WritesPaused.TotalMilliseconds:F0} ms, snapshot {result.Elapsed.TotalMilliseconds:F0} ms, {written} concurrent writes");
            Assert.True(result.WritesPaused < TimeSpan.FromSeconds(5), $"writes were paused {result.WritesPaused}");
            Assert.True(written > 0);
        }
        finally
        {
            await stop.CancelAsync();
            await writes;
            for (int i = 0; i < 50; i++)
            {
                await writer.KeyDeleteAsync("cut:" + i);
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task AClusterBackupRestoresIntoAClusterWithAnotherShardCount(int shards)
    {
        (_, List<string> paths) = await SnapshotSourceAsync();
        TestCluster target = shards == 2 ? fixture.TwoShards : fixture.FourShards;
        await target.Connection.GetDatabase().StringSetAsync("left-over", "from before");
        var streams = paths.Select(path => (Stream)File.OpenRead(path)).ToList();
        try
        {
            var progress = new List<double>();
            ClusterRestoreResult result = await ClusterCommandRestore.RunAsync(streams, target.Cluster.Deployment, ClusterFixture.Password, null, new SynchronousProgress(progress), CancellationToken.None);
            Assert.Equal(fixture.Expected.Count, result.Keys);
            Assert.Equal(shards, result.KeysPerShard.Count);
            Assert.All(result.KeysPerShard, count => Assert.True(count > 0));
            Assert.Equal(1.0, progress[^1]);
            output.WriteLine($"3 files → {shards} shards: {result.Keys} keys, {result.Bytes} bytes in {result.Elapsed.TotalMilliseconds:F0} ms; per shard {string.Join('/', result.KeysPerShard)}");
        }
        finally
        {
            streams.ForEach(stream => stream.Dispose());
        }

        Assert.Equal(fixture.Expected, await ClusterLogicalDump.TakeAsync(target.Connection, target.Cluster.Deployment));
        Assert.All(await ClusterFixture.LibrariesAsync(target), libraries => Assert.Equal("clusterlib", libraries));
    }

    [Fact]
    public async Task AMasterStandbyBackupRestoresIntoAThreeShardCluster()
    {
        await using var master = await TestRedis.StartAsync();
        await SampleData.WriteEveryTypeAsync(master.Connection, databases: 1);
        await SampleData.WriteManyStringsAsync(master.Connection, 2000);
        var expected = await LogicalDump.TakeAsync(master.Connection, master.EndPoint);
        await master.Db().ExecuteAsync("SAVE");

        // Big-value threshold lowered so the big keys go as native batches into temporary keys: the temporary key must land on the real key's shard.
        var options = new ClusterRestoreOptions { Restore = new CommandRestoreOptions { BigValueThreshold = 4096, NativeBatchArguments = 100 } };
        await using var file = File.OpenRead(Path.Combine(master.Server.Directory, "dump.rdb"));
        ClusterRestoreResult result = await ClusterCommandRestore.RunAsync(file, fixture.ThreeShards.Cluster.Deployment, ClusterFixture.Password, options, null, CancellationToken.None);
        Assert.Equal(expected.Count, result.Keys);
        Assert.Equal(expected, await ClusterLogicalDump.TakeAsync(fixture.ThreeShards.Connection, fixture.ThreeShards.Cluster.Deployment));
    }

    [Fact]
    public async Task AMultiDatabaseBackupIsRefusedByDefaultAndDb0OnlyOrMergeOnRequest()
    {
        await using var source = await TestRedis.StartAsync();
        await SampleData.WriteEveryTypeAsync(source.Connection, databases: 3);
        var everything = await LogicalDump.TakeAsync(source.Connection, source.EndPoint);
        await source.Db().ExecuteAsync("SAVE");
        string path = Path.Combine(source.Server.Directory, "dump.rdb");
        TestCluster target = fixture.TwoShards;
        var marker = target.Connection.GetDatabase();
        await marker.StringSetAsync("untouched", "yes");

        await using (var file = File.OpenRead(path))
        {
            var refused = await Assert.ThrowsAsync<RedisFailureException>(() => ClusterCommandRestore.RunAsync(file, target.Cluster.Deployment, ClusterFixture.Password, null, null, CancellationToken.None));
            Assert.Equal(RedisFailureKind.Incompatible, refused.Kind);
            Assert.Contains("database(s) 1, 2", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal("yes", (string?)await marker.StringGetAsync("untouched")); // refused before anything was written

        // Databases known from the manifest: refused up front as well, even from a stream that cannot seek.
        await using (var file = new NonSeekableStream(File.OpenRead(path)))
        {
            var refused = await Assert.ThrowsAsync<RedisFailureException>(() => ClusterCommandRestore.RunAsync(file, target.Cluster.Deployment, ClusterFixture.Password, new ClusterRestoreOptions { SourceDatabases = [0, 2] }, null, CancellationToken.None));
            Assert.Contains("database(s) 2", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal("yes", (string?)await marker.StringGetAsync("untouched"));

        // Nothing known and no way to scan first: refused when the first key outside db 0 comes (the cluster was flushed by then).
        await using (var file = new NonSeekableStream(File.OpenRead(path)))
        {
            var refused = await Assert.ThrowsAsync<RedisFailureException>(() => ClusterCommandRestore.RunAsync(file, target.Cluster.Deployment, ClusterFixture.Password, null, null, CancellationToken.None));
            Assert.Equal(RedisFailureKind.Incompatible, refused.Kind);
            Assert.Contains("database(s) 1;", refused.Message, StringComparison.Ordinal);
        }

        await using (var file = File.OpenRead(path))
        {
            ClusterRestoreResult result = await ClusterCommandRestore.RunAsync(file, target.Cluster.Deployment, ClusterFixture.Password, new ClusterRestoreOptions { MultiDbPolicy = MultiDbPolicy.Db0Only }, null, CancellationToken.None);
            var db0 = everything.Where(entry => entry.Key.StartsWith("0/", StringComparison.Ordinal)).ToDictionary();
            Assert.Equal(db0.Count, result.Keys);
            Assert.Equal(everything.Count - db0.Count, result.OtherDatabaseKeysSkipped);
            Assert.Equal(new SortedDictionary<string, string>(db0, StringComparer.Ordinal), await ClusterLogicalDump.TakeAsync(target.Connection, target.Cluster.Deployment));
        }

        await using (var file = File.OpenRead(path))
        {
            await ClusterCommandRestore.RunAsync(file, target.Cluster.Deployment, ClusterFixture.Password, new ClusterRestoreOptions { MultiDbPolicy = MultiDbPolicy.Merge }, null, CancellationToken.None);

            // SampleData prefixes keys with their database, so merged they do not collide: db N's keys now live in db 0.
            var merged = new SortedDictionary<string, string>(everything.ToDictionary(entry => "0/" + entry.Key[(entry.Key.IndexOf('/', StringComparison.Ordinal) + 1)..], entry => entry.Value), StringComparer.Ordinal);
            Assert.Equal(merged, await ClusterLogicalDump.TakeAsync(target.Connection, target.Cluster.Deployment));
        }
    }

    /// <summary>Progress reported on the calling thread, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(List<double> values) : IProgress<double>
    {
        public void Report(double value)
        {
            lock (values)
            {
                values.Add(value);
            }
        }
    }
}

/// <summary>A read-only stream that hides its ability to seek, like a network download.</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
