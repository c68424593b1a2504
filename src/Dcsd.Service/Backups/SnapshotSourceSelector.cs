using Dcsd.Service.Instances;
using Dcsd.Service.Store;

namespace Dcsd.Service.Backups;

/// <summary>
/// Picks the node a snapshot is taken from: the standby when it is in sync, sparing the master the fork;
/// otherwise the master, whose data is the truth.
/// </summary>
internal static class SnapshotSourceSelector
{
    public static async Task<NodeRecord> ChooseAsync(InstanceRecord instance, CancellationToken cancellationToken)
    {
        var master = instance.Master ?? throw new InvalidOperationException($"instance {instance.Id} has no master node");
        foreach (var replica in instance.Nodes.Where(n => n.Role == NodeRoles.Replica))
        {
            try
            {
                if (await InstanceReadiness.IsInSyncAsync(instance, replica, cancellationToken).ConfigureAwait(false))
                {
                    return replica;
                }
            }
            catch (StackExchange.Redis.RedisConnectionException)
            {
                // A standby that does not answer is simply not a candidate.
            }
        }

        return master;
    }
}
