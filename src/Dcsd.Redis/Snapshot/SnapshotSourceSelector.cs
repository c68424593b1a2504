using Dcsd.Redis.Protocol;
using Dcsd.Redis.Topology;

namespace Dcsd.Redis.Snapshot;

/// <summary>
/// Picks, per shard, the node a snapshot is taken from: a standby that has caught up with everything its master had when
/// the backup started (so the backup holds every write acknowledged before it was asked for), sparing the master the fork;
/// otherwise the master, whose data is the truth.
/// </summary>
public sealed class SnapshotSourceSelector(RedisConnections connections, TimeProvider time)
{
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(5);

    public async Task<IReadOnlyList<SnapshotSourceChoice>> ChooseAsync(Deployment deployment, string? password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return await Task.WhenAll(deployment.Shards.Select(shard => ChooseAsync(shard, password, cancellationToken))).ConfigureAwait(false);
    }

    private async Task<SnapshotSourceChoice> ChooseAsync(ShardInfo shard, string? password, CancellationToken cancellationToken)
    {
        var replicas = shard.Replicas.Where(replica => replica.Health != NodeHealth.Failed).ToList();
        if (replicas.Count == 0)
        {
            return new SnapshotSourceChoice(shard, shard.Master);
        }

        var masterInfo = ReplicationInfo.From(await connections.InfoAsync(shard.Master.Host, shard.Master.Port, password, "replication", cancellationToken).ConfigureAwait(false));
        long target = masterInfo.MasterReplicationOffset ?? long.MaxValue;
        var deadline = time.GetUtcNow() + CatchUpTimeout;
        while (true)
        {
            foreach (var replica in replicas)
            {
                var info = await TryReadAsync(replica, password, cancellationToken).ConfigureAwait(false);
                if (info is { MasterLinkUp: true, MasterSyncInProgress: false, ReplicaOffset: { } offset } && offset >= target)
                {
                    return new SnapshotSourceChoice(shard, replica);
                }
            }

            if (time.GetUtcNow() > deadline)
            {
                return new SnapshotSourceChoice(shard, shard.Master);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ReplicationInfo?> TryReadAsync(NodeInfo replica, string? password, CancellationToken cancellationToken)
    {
        try
        {
            return ReplicationInfo.From(await connections.InfoAsync(replica.Host, replica.Port, password, "replication", cancellationToken).ConfigureAwait(false));
        }
        catch (RedisFailureException)
        {
            // A standby that does not answer is simply not a candidate.
            return null;
        }
    }
}
