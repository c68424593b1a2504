using Dcsd.Redis.Replication;
using Dcsd.Service.Instances;
using Dcsd.Service.Store;

namespace Dcsd.Service.Backups;

/// <summary>
/// Picks the node a snapshot is taken from: a standby that has caught up with everything the master had when the backup
/// started (so the backup holds every write acknowledged before it was asked for), sparing the master the fork;
/// otherwise the master, whose data is the truth.
/// </summary>
internal sealed class SnapshotSourceSelector(RedisAdmin admin, TimeProvider time)
{
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(5);

    public async Task<NodeRecord> ChooseAsync(InstanceRecord instance, CancellationToken cancellationToken)
    {
        var master = instance.Master ?? throw new InvalidOperationException($"instance {instance.Id} has no master node");
        var replicas = instance.Nodes.Where(n => n.Role == NodeRoles.Replica).ToList();
        if (replicas.Count == 0)
        {
            return master;
        }

        var masterInfo = ReplicationInfo.Parse(await admin.InfoAsync(instance, master, "replication", cancellationToken).ConfigureAwait(false));
        long target = masterInfo.MasterReplicationOffset ?? long.MaxValue;
        var deadline = time.GetUtcNow() + CatchUpTimeout;
        while (true)
        {
            foreach (var replica in replicas)
            {
                var info = await TryReadAsync(instance, replica, cancellationToken).ConfigureAwait(false);
                if (info is { MasterLinkUp: true, MasterSyncInProgress: false, ReplicaOffset: { } offset } && offset >= target)
                {
                    return replica;
                }
            }

            if (time.GetUtcNow() > deadline)
            {
                return master;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ReplicationInfo?> TryReadAsync(InstanceRecord instance, NodeRecord replica, CancellationToken cancellationToken)
    {
        try
        {
            return ReplicationInfo.Parse(await admin.InfoAsync(instance, replica, "replication", cancellationToken).ConfigureAwait(false));
        }
        catch (StackExchange.Redis.RedisConnectionException)
        {
            // A standby that does not answer is simply not a candidate.
            return null;
        }
    }
}
