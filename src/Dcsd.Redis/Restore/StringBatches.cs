using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Restore;

/// <summary>
/// Plain strings (no expiry, idle time or frequency) gathered into <c>MSET</c>s: for redis-server one MSET of many pairs
/// is far cheaper than a RESTORE per key (no payload CRC, no RDB decoding, one command dispatch), and it leaves the same
/// value with the same encoding. Keys of one MSET must share a group (a cluster takes an MSET within one slot only), so
/// there is a batch per group with pairs waiting, each sent when full; all of them when together they hold more than
/// the pending bound, and whenever the caller flushes.
/// </summary>
internal sealed class StringBatches : IDisposable
{
    private readonly Dictionary<int, Batch> _open = [];

    // Sent batches, emptied, for the next groups: their buffers have grown to a batch's size once already.
    private readonly Stack<Batch> _spare = new();
    private readonly int _maxKeys;
    private readonly int _maxBytes;
    private readonly long _maxPendingBytes;
    private long _pendingBytes;

    public StringBatches(int maxKeys, int maxBytes, long maxPendingBytes)
    {
        _maxKeys = maxKeys;
        _maxBytes = maxBytes;
        _maxPendingBytes = maxPendingBytes;
    }

    /// <summary>Whether a value this long is worth batching: a long one costs redis-server the same either way.</summary>
    public bool Takes(int valueLength) => valueLength <= _maxBytes / 4;

    // Once per key of a restore: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Add(IRestoreCommandSink sink, byte[] key, int db, int group, ReadOnlySpan<byte> value)
    {
        if (_open.TryGetValue(group, out Batch? batch) && (batch.Count >= _maxKeys || batch.Pairs.Length + key.Length + value.Length > _maxBytes))
        {
            Send(sink, group, batch);
            batch = null;
        }

        if (batch is null)
        {
            batch = _spare.TryPop(out Batch? spare) ? spare : new Batch();
            (batch.FirstKey, batch.Db) = (key, db);
            _open.Add(group, batch);
        }

        int before = batch.Pairs.Length;
        batch.Pairs.Bulk(key);
        batch.Pairs.Bulk(value);
        batch.Count++;
        _pendingBytes += batch.Pairs.Length - before;
        if (_pendingBytes > _maxPendingBytes)
        {
            Flush(sink);
        }
    }

    /// <summary>Sends every batch with pairs waiting.</summary>
    public void Flush(IRestoreCommandSink sink)
    {
        foreach ((int group, Batch batch) in _open)
        {
            Send(sink, group, batch, removeFromOpen: false);
        }

        _open.Clear();
    }

    private void Send(IRestoreCommandSink sink, int group, Batch batch, bool removeFromOpen = true)
    {
        RespWriter command = sink.Begin(batch.FirstKey);
        command.BeginCommand(1 + (2 * batch.Count));
        command.Raw("$4\r\nMSET\r\n"u8);
        command.Raw(batch.Pairs.Written.Span);
        sink.Commit(new RestoreCommandInfo("MSET", batch.FirstKey, batch.Db, batch.Count));
        _pendingBytes -= batch.Pairs.Length;
        batch.Pairs.Clear();
        batch.Count = 0;
        _spare.Push(batch);
        if (removeFromOpen)
        {
            _open.Remove(group);
        }
    }

    public void Dispose()
    {
        foreach (Batch batch in _open.Values.Concat(_spare))
        {
            batch.Pairs.Dispose();
        }

        _open.Clear();
        _spare.Clear();
    }

    /// <summary>The pairs waiting for one group, encoded as RESP; the first key names the MSET in an error.</summary>
    private sealed class Batch
    {
        // Small to start with: a cluster can have a batch open for each of thousands of slots.
        public RespWriter Pairs { get; } = new(512);

        public byte[] FirstKey { get; set; } = [];

        public int Db { get; set; }

        public int Count { get; set; }
    }
}
