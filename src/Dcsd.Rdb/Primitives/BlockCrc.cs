namespace Dcsd.Rdb.Primitives;

/// <summary>
/// The CRC64 of one block of the input, computed by a thread-pool thread alongside the parser, or by the parser itself
/// when no pool thread has started on it by the time its result or its buffer is needed: on a loaded machine the
/// parser then never sleeps waiting for a worker to be scheduled.
/// </summary>
internal sealed class BlockCrc : IThreadPoolWorkItem
{
    private const int Queued = 0;
    private const int Running = 1;
    private const int Done = 2;

    private readonly byte[] _buffer;
    private readonly int _start;
    private int _state;
    private ulong _crc;

    private BlockCrc(byte[] buffer, int start, int length)
    {
        _buffer = buffer;
        _start = start;
        Length = length;
    }

    public static BlockCrc Start(byte[] buffer, int start, int length)
    {
        var block = new BlockCrc(buffer, start, length);
        ThreadPool.UnsafeQueueUserWorkItem(block, preferLocal: false);
        return block;
    }

    public int Length { get; }

    public bool IsCompleted => Volatile.Read(ref _state) == Done;

    /// <summary>The CRC, computed here if no worker has taken the block yet.</summary>
    public ulong Result
    {
        get
        {
            RunOrWait();
            return _crc;
        }
    }

    /// <summary>Returns once nothing reads the buffer any more; the CRC is then known.</summary>
    public void RunOrWait()
    {
        if (!TryRun())
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _state) != Done)
            {
                spin.SpinOnce();
            }
        }
    }

    void IThreadPoolWorkItem.Execute() => TryRun();

    private bool TryRun()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
        {
            return false;
        }

        _crc = Crc64.Compute(_buffer.AsSpan(_start, Length));
        Volatile.Write(ref _state, Done);
        return true;
    }
}
