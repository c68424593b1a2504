using Dcsd.Service.Jobs;
using Dcsd.Service.Persistence;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Restores;

/// <summary>
/// Restores as a job kind. At start, waiting restores run again and running ones are failed (the instance's data is whatever
/// the interrupted load left, and the record says so).
/// </summary>
internal sealed class RestoreJobs(
    RestoreRepository restores,
    JobQueue<RestoreRecord> queue,
    RestoreRunner runner,
    IOptions<DcsdOptions> options) : IJobKind
{
    public int MaxConcurrent => options.Value.MaxConcurrentJobsPerKind;

    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var restore in await restores.ListByStatusAsync(RestoreStatus.Restoring, cancellationToken).ConfigureAwait(false))
        {
            await runner.FailInterruptedAsync(restore, cancellationToken).ConfigureAwait(false);
        }

        foreach (var restore in await restores.ListByStatusAsync(RestoreStatus.Waiting, cancellationToken).ConfigureAwait(false))
        {
            queue.Enqueue(restore.Id);
        }
    }

    public IAsyncEnumerable<string> ReadQueuedAsync(CancellationToken cancellationToken) => queue.ReadAllAsync(cancellationToken);

    public Task RunAsync(string id, CancellationToken cancellationToken) => runner.RunAsync(id, cancellationToken);
}
