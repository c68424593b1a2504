using Dcsd.Redis.Replication;
using Dcsd.Redis.Topology;
using Dcsd.Service.Instances;
using Dcsd.Service.Persistence;

namespace Dcsd.Service.Backups;

/// <summary>
/// Picks, per shard, the node a snapshot is taken from: a standby that has caught up with everything its master had when
/// the backup started (so the backup holds every write acknowledged before it was asked for), sparing the master the fork;
/// otherwise the master, whose data is the truth.
/// </summary>
internal sealed class SnapshotSourceSelector(RedisAdmin admin, TimeProvider time)
{
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(5);

    public async Task<IReadOnlyList<SnapshotSourceChoice>> ChooseAsync(InstanceRecord instance, Deployment deployment, CancellationToken cancellationToken) =>
        await Task.WhenAll(deployment.Shards.Select(shard => ChooseAsync(instance, shard, cancellationToken))).ConfigureAwait(false);

    private async Task<SnapshotSourceChoice> ChooseAsync(InstanceRecord instance, ShardInfo shard, CancellationToken cancellationToken)
    {
        var replicas = shard.Replicas.Where(replica => replica.Health != NodeHealth.Failed).ToList();
        if (replicas.Count == 0)
        {
            return new SnapshotSourceChoice(shard, shard.Master);
        }

        var masterInfo = ReplicationInfo.Parse(await admin.InfoAsync(instance, InstanceTopology.AsRecord(shard.Master), "replication", cancellationToken).ConfigureAwait(false));
        long target = masterInfo.MasterReplicationOffset ?? long.MaxValue;
        var deadline = time.GetUtcNow() + CatchUpTimeout;
        while (true)
        {
            foreach (var replica in replicas)
            {
                var info = await TryReadAsync(instance, replica, cancellationToken).ConfigureAwait(false);
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

    private async Task<ReplicationInfo?> TryReadAsync(InstanceRecord instance, NodeInfo replica, CancellationToken cancellationToken)
    {
        try
        {
            return ReplicationInfo.Parse(await admin.InfoAsync(instance, InstanceTopology.AsRecord(replica), "replication", cancellationToken).ConfigureAwait(false));
        }
        catch (StackExchange.Redis.RedisConnectionException)
        {
            // A standby that does not answer is simply not a candidate.
            return null;
        }
    }
}
