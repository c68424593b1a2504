using Dcsd.Service.Jobs;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Imports;

/// <summary>Backup imports (migration tasks) as a job kind. A task has one active status (MIGRATING), so any a previous dcsd left is failed.</summary>
internal sealed class ImportJobs(
    MigrationTaskRepository tasks,
    JobQueue<MigrationTaskRecord> queue,
    MigrationTaskRunner runner,
    IOptions<DcsdOptions> options) : IJobKind
{
    public int MaxConcurrent => options.Value.MaxConcurrentJobsPerKind;

    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var task in await tasks.ListByStatusAsync(MigrationTaskStatus.Migrating, cancellationToken).ConfigureAwait(false))
        {
            await runner.FailInterruptedAsync(task, cancellationToken).ConfigureAwait(false);
        }
    }

    public IAsyncEnumerable<string> ReadQueuedAsync(CancellationToken cancellationToken) => queue.ReadAllAsync(cancellationToken);

    public Task RunAsync(string id, CancellationToken cancellationToken) => runner.RunAsync(id, cancellationToken);
}
