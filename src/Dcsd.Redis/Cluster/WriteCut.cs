using System.Diagnostics;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Replication;
using Dcsd.Redis.Topology;

namespace Dcsd.Redis.Cluster;

/// <summary>
/// The consistent cut of <see cref="ClusterSnapshotOptions.WritePause"/>: masters paused for writes, each chosen replica
/// caught up with its paused master, the pause lifted once every shard's source has forked.
/// </summary>
internal sealed class WriteCut : IAsyncDisposable
{
    private readonly List<RedisNodeClient> _masters;
    private readonly long?[] _pausedOffsets;
    private readonly Stopwatch _paused = Stopwatch.StartNew();
    private readonly int[] _forked;
    private int _remaining;
    private TimeSpan? _pausedFor;
    private Task? _unpause;

    private WriteCut(List<RedisNodeClient> masters, long?[] pausedOffsets)
    {
        _masters = masters;
        _pausedOffsets = pausedOffsets;
        _forked = new int[pausedOffsets.Length];
        _remaining = pausedOffsets.Length;
    }

    public TimeSpan Paused => _pausedFor ?? _paused.Elapsed;

    public static async Task<WriteCut> PauseAsync(IReadOnlyList<SnapshotSourceChoice> choices, string? password, TimeSpan pause, CancellationToken cancellationToken)
    {
        var masters = new List<RedisNodeClient>();
        try
        {
            foreach (SnapshotSourceChoice choice in choices)
            {
                masters.Add(await RedisNodeClient.ConnectAsync(choice.Shard.Master.Host, choice.Shard.Master.Port, password, cancellationToken).ConfigureAwait(false));
            }

            var offsets = new long?[choices.Count];
            var cut = new WriteCut(masters, offsets);
            long milliseconds = Math.Max(1, (long)pause.TotalMilliseconds);
            await Task.WhenAll(masters.Select(master => master.ExecuteAsync("CLIENT", ["PAUSE", milliseconds, "WRITE"], cancellationToken))).ConfigureAwait(false);
            cut._paused.Restart();
            for (int i = 0; i < choices.Count; i++)
            {
                offsets[i] = ReplicationInfo.From(await masters[i].InfoAsync("replication", cancellationToken).ConfigureAwait(false)).MasterReplicationOffset;
                if (choices[i].Node.Role == NodeRole.Replica)
                {
                    await WaitForReplicaAsync(choices[i].Node, offsets[i], password, pause, cancellationToken).ConfigureAwait(false);
                }
            }

            return cut;
        }
        catch
        {
            foreach (RedisNodeClient master in masters)
            {
                try
                {
                    // Do not leave writes paused until the timeout because the cut could not be set up.
                    await master.ExecuteAsync("CLIENT", ["UNPAUSE"], CancellationToken.None).ConfigureAwait(false);
                }
                catch (RedisFailureException)
                {
                    // Unreachable: its pause ends by itself.
                }

                await master.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Waits (within the pause) until the replica has processed everything the paused master had sent.</summary>
    private static async Task WaitForReplicaAsync(NodeInfo replica, long? masterOffset, string? password, TimeSpan pause, CancellationToken cancellationToken)
    {
        RedisNodeClient connection = await RedisNodeClient.ConnectAsync(replica.Host, replica.Port, password, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < pause)
            {
                ReplicationInfo info = ReplicationInfo.From(await connection.InfoAsync("replication", cancellationToken).ConfigureAwait(false));
                if (info.MasterReplicationOffset >= masterOffset)
                {
                    return;
                }

                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reports for shard <paramref name="index"/>; the first report means its source has forked (or its fetch ended).</summary>
    public IProgress<long> ForkObserver(int index) => new Observer(this, index);

    /// <summary>Every file corresponds to exactly the offset its master had while paused.</summary>
    public bool IsConsistent(IReadOnlyList<ShardSnapshot> shards) =>
        shards.All(shard => shard.ReplicationOffset is long offset && _pausedOffsets[shard.Shard.Index] == offset);

    private void Forked(int index)
    {
        if (Interlocked.Exchange(ref _forked[index], 1) == 0 && Interlocked.Decrement(ref _remaining) == 0)
        {
            _unpause = UnpauseAsync();
        }
    }

    private async Task UnpauseAsync()
    {
        _pausedFor ??= _paused.Elapsed;
        foreach (RedisNodeClient master in _masters)
        {
            try
            {
                await master.ExecuteAsync("CLIENT", ["UNPAUSE"], CancellationToken.None).ConfigureAwait(false);
            }
            catch (RedisFailureException)
            {
                // The pause times out on its own.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await (_unpause ?? UnpauseAsync()).ConfigureAwait(false);

        foreach (RedisNodeClient master in _masters)
        {
            await master.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Observer(WriteCut cut, int index) : IProgress<long>
    {
        public void Report(long value) => cut.Forked(index);
    }
}
