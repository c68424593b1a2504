using Dcsd.Service.Jobs;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Restores;

/// <summary>
/// Runs queued restores, a bounded number at a time. At start it settles what a previous dcsd left: waiting restores run,
/// running ones are failed (the instance's data is whatever the interrupted load left, and the record says so).
/// </summary>
internal sealed class RestoreWorker(
    RestoreRepository restores,
    JobQueue<RestoreRecord> queue,
    RestoreRunner runner,
    IOptions<DcsdOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var restore in await restores.ListByStatusAsync(RestoreStatus.Restoring, stoppingToken).ConfigureAwait(false))
        {
            await runner.FailInterruptedAsync(restore, stoppingToken).ConfigureAwait(false);
        }

        foreach (var restore in await restores.ListByStatusAsync(RestoreStatus.Waiting, stoppingToken).ConfigureAwait(false))
        {
            queue.Enqueue(restore.Id);
        }

        await queue.RunAsync(options.Value.MaxConcurrentJobs, runner.RunAsync, stoppingToken).ConfigureAwait(false);
    }
}
