using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Jobs;

/// <summary>
/// Runs every registered <see cref="IJobKind"/>: recovery at start (before the server listens), then each kind's queue with at
/// most <see cref="IJobKind.MaxConcurrent"/> of its jobs at once and at most <see cref="DcsdOptions.MaxConcurrentJobs"/> jobs of
/// all kinds together. On stop no new job starts, running ones see their token cancelled, and the host waits for them to end
/// (HostOptions.ShutdownTimeout), so every record is settled by its own runner or by the next start's recovery.
/// </summary>
internal sealed class JobWorker(IEnumerable<IJobKind> kinds, IOptions<DcsdOptions> options) : BackgroundService
{
    private readonly IJobKind[] _kinds = [.. kinds];

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var kind in _kinds)
        {
            await kind.RecoverAsync(cancellationToken).ConfigureAwait(false);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(options.Value.MaxConcurrentJobs);
        await Task.WhenAll(_kinds.Select(kind => RunKindAsync(kind, slots, stoppingToken))).ConfigureAwait(false);
    }

    private static Task RunKindAsync(IJobKind kind, SemaphoreSlim slots, CancellationToken stoppingToken) =>
        Parallel.ForEachAsync(
            kind.ReadQueuedAsync(stoppingToken),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, kind.MaxConcurrent), CancellationToken = stoppingToken },
            async (id, cancellationToken) =>
            {
                // The kind's own slot is held while waiting for a global one: the global bound is taken last and always given back.
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await kind.RunAsync(id, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            });
}
