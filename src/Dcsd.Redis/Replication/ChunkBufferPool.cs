using System.Threading.Channels;

namespace Dcsd.Redis.Replication;

/// <summary>
/// A fixed budget of large receive buffers shared by the socket reader and the destination writer.
/// The budget is the decoupling: the reader keeps draining the socket (a diskless master drops a replica that
/// stops reading for repl-timeout) while the disk is slow, until the whole budget is waiting to be written.
/// </summary>
internal sealed class ChunkBufferPool
{
    private readonly Channel<byte[]> _returned = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly int _bufferSize;
    private readonly int _maxBuffers;
    private int _allocated;

    public ChunkBufferPool(int bufferSize, int maxBuffers)
    {
        _bufferSize = bufferSize;
        _maxBuffers = maxBuffers;
    }

    public int BufferSize => _bufferSize;

    /// <summary>
    /// A free buffer: a returned one, a new one while under budget, else blocks (on the receiving thread) until
    /// the writer returns one, which only happens when the destination is slower than the network.
    /// </summary>
    public byte[] Rent(CancellationToken cancellationToken)
    {
        if (_returned.Reader.TryRead(out byte[]? buffer))
        {
            return buffer;
        }

        if (_allocated < _maxBuffers)
        {
            _allocated++;
            return GC.AllocateUninitializedArray<byte>(_bufferSize);
        }

        return _returned.Reader.ReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
    }

    public void Return(byte[] buffer) => _returned.Writer.TryWrite(buffer);
}
