namespace Dcsd.Service.Jobs;

/// <summary>
/// One kind of durable job (backups, restores, backup imports; later scheduled backups or uploads) as <see cref="JobWorker"/>
/// runs it. The records are the kind's own; the worker only knows ids.
/// </summary>
internal interface IJobKind
{
    /// <summary>How many jobs of this kind may run at once; every kind also shares the global bound.</summary>
    int MaxConcurrent { get; }

    /// <summary>
    /// Settles what a previous dcsd left: interrupted jobs get a truthful final status, waiting ones are queued again. Runs before
    /// dcsd accepts requests, so no job created by this process can be mistaken for an interrupted one.
    /// </summary>
    Task RecoverAsync(CancellationToken cancellationToken);

    /// <summary>The ids queued for this kind, as they arrive, until <paramref name="cancellationToken"/> ends.</summary>
    IAsyncEnumerable<string> ReadQueuedAsync(CancellationToken cancellationToken);

    /// <summary>Runs one job to its final status; cancellation means dcsd is stopping.</summary>
    Task RunAsync(string id, CancellationToken cancellationToken);
}
