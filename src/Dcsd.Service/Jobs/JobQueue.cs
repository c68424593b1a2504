using System.Threading.Channels;

namespace Dcsd.Service.Jobs;

/// <summary>
/// Ids of job records waiting to run, one queue per kind of record (backups, restores). The records themselves are durable in
/// SQLite; the queue is only the wake-up, refilled from the records when dcsd starts.
/// </summary>
internal sealed class JobQueue<TRecord>
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>();

    public void Enqueue(string id) => _channel.Writer.TryWrite(id);

    public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Runs every queued id through <paramref name="run"/>, at most <paramref name="maxConcurrent"/> at a time, until stopped.</summary>
    public Task RunAsync(int maxConcurrent, Func<string, CancellationToken, Task> run, CancellationToken stoppingToken) =>
        Parallel.ForEachAsync(
            ReadAllAsync(stoppingToken),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxConcurrent), CancellationToken = stoppingToken },
            async (id, cancellationToken) => await run(id, cancellationToken).ConfigureAwait(false));
}
