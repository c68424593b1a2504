using Dcsd.Service.Jobs;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Imports;

/// <summary>
/// Runs queued backup imports, a bounded number at a time. A task has one active status (MIGRATING), so any a previous dcsd
/// left is failed at start, before this one accepts requests.
/// </summary>
internal sealed class MigrationTaskWorker(
    MigrationTaskRepository tasks,
    JobQueue<MigrationTaskRecord> queue,
    MigrationTaskRunner runner,
    IOptions<DcsdOptions> options) : BackgroundService
{
    /// <summary>
    /// Settles in StartAsync rather than ExecuteAsync: hosted services finish starting before the server listens, so no task
    /// created by this process can be mistaken for an interrupted one.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var task in await tasks.ListByStatusAsync(MigrationTaskStatus.Migrating, cancellationToken).ConfigureAwait(false))
        {
            await runner.FailInterruptedAsync(task, cancellationToken).ConfigureAwait(false);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        queue.RunAsync(options.Value.MaxConcurrentJobs, runner.RunAsync, stoppingToken);
}
