using Dcsd.Service.Jobs;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Backups;

/// <summary>
/// Drains the backup queue with a bounded number of jobs at a time. At start it settles what a previous dcsd left:
/// waiting records run again, running ones are failed (or marked succeed when their manifest was already committed).
/// </summary>
internal sealed class BackupWorker(
    BackupRepository backups,
    JobQueue<BackupRecord> queue,
    BackupRunner runner,
    IOptions<DcsdOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RecoverAsync(stoppingToken).ConfigureAwait(false);
        await queue.RunAsync(options.Value.MaxConcurrentJobs, runner.RunAsync, stoppingToken).ConfigureAwait(false);
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var backup in await backups.ListByStatusAsync([BackupStatus.Backuping], cancellationToken).ConfigureAwait(false))
        {
            await runner.SettleInterruptedAsync(backup, cancellationToken).ConfigureAwait(false);
        }

        foreach (var backup in await backups.ListByStatusAsync([BackupStatus.Waiting], cancellationToken).ConfigureAwait(false))
        {
            queue.Enqueue(backup.Id);
        }
    }
}
