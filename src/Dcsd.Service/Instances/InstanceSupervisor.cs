using Dcsd.Service.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Instances;

/// <summary>
/// Keeps local instances running: at start it brings back the nodes of every instance (re-attaching any that outlived
/// dcsd), then restarts any node that goes down; on shutdown it stops them all.
/// </summary>
internal sealed class InstanceSupervisor(
    InstanceRepository instances,
    LocalInstanceProvider provider,
    IOptions<DcsdOptions> options,
    TimeProvider time,
    ILogger<InstanceSupervisor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var instance in await instances.ListAllAsync(stoppingToken).ConfigureAwait(false))
        {
            if (instance.Status == InstanceStatus.Creating)
            {
                // dcsd stopped while it was creating this one; its nodes may be half set up.
                await provider.StopAsync(instance, stoppingToken).ConfigureAwait(false);
                await instances.UpdateStatusAsync(instance.Id, InstanceStatus.CreateFailed, stoppingToken).ConfigureAwait(false);
            }
            else if (instance.Status == InstanceStatus.Restoring)
            {
                // A restore cut short by a restart left the data undefined; the restore record says failed, the instance runs again.
                await instances.UpdateStatusAsync(instance.Id, InstanceStatus.Running, stoppingToken).ConfigureAwait(false);
            }
        }

        using var timer = new PeriodicTimer(options.Value.SupervisionInterval, time);
        bool starting = true;
        do
        {
            await SuperviseAllAsync(starting, stoppingToken).ConfigureAwait(false);
            starting = false;
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <param name="starting">On the first pass nodes are expected to be down (dcsd stopped them); starting them is no incident.</param>
    private async Task SuperviseAllAsync(bool starting, CancellationToken cancellationToken)
    {
        foreach (var instance in await instances.ListAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (instance.IsAdopted || instance.Status is not (InstanceStatus.Running or InstanceStatus.Error))
            {
                continue;
            }

            try
            {
                foreach (var node in instance.Nodes)
                {
                    if (await provider.EnsureRunningAsync(instance, node, cancellationToken).ConfigureAwait(false) && !starting)
                    {
                        Log.NodeRestarted(logger, instance.Id, node.Role, node.Port);
                    }
                }

                if (instance.Status == InstanceStatus.Error)
                {
                    await instances.UpdateStatusAsync(instance.Id, InstanceStatus.Running, cancellationToken).ConfigureAwait(false);
                    Log.InstanceStatus(logger, instance.Id, instance.CacheMode, InstanceStatus.Running);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.SupervisionFailed(logger, ex, instance.Id);
                if (instance.Status != InstanceStatus.Error)
                {
                    await instances.UpdateStatusAsync(instance.Id, InstanceStatus.Error, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (var instance in await instances.ListAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await provider.StopAsync(instance, cancellationToken).ConfigureAwait(false);
        }
    }
}
