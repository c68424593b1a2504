using Dcsd.Service.Jobs;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Backups;

/// <summary>
/// Backups as a job kind. At start, running records are settled (failed, or marked succeed when their manifest was already
/// committed) and waiting ones run again.
/// </summary>
internal sealed class BackupJobs(
    BackupRepository backups,
    JobQueue<BackupRecord> queue,
    BackupRunner runner,
    IOptions<DcsdOptions> options) : IJobKind
{
    public int MaxConcurrent => options.Value.MaxConcurrentJobsPerKind;

    public async Task RecoverAsync(CancellationToken cancellationToken)
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

    public IAsyncEnumerable<string> ReadQueuedAsync(CancellationToken cancellationToken) => queue.ReadAllAsync(cancellationToken);

    public Task RunAsync(string id, CancellationToken cancellationToken) => runner.RunAsync(id, cancellationToken);
}
