using System.Threading.Channels;

namespace Dcsd.Service.Backups;

/// <summary>Ids of backup records waiting to run. The records themselves are durable; the queue is only the wake-up.</summary>
internal sealed class BackupQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false });

    public void Enqueue(string backupId) => _channel.Writer.TryWrite(backupId);

    public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);
}
