using System.Threading.Channels;

namespace Dcsd.Service.Jobs;

/// <summary>
/// Ids of job records waiting to run, one queue per kind of record (backups, restores, imports). The records themselves are
/// durable in SQLite; the queue is only the wake-up, refilled from the records when dcsd starts (<see cref="IJobKind.RecoverAsync"/>).
/// </summary>
internal sealed class JobQueue<TRecord>
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>();

    public void Enqueue(string id) => _channel.Writer.TryWrite(id);

    public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);
}
