namespace Dcsd.Redis.Restore;

/// <summary>
/// Plain strings (no expiry, idle time or frequency) gathered into one <c>MSET</c>: for redis-server one MSET of many
/// pairs is far cheaper than a RESTORE per key (no payload CRC, no RDB decoding, one command dispatch), and it leaves
/// the same value with the same encoding. The pairs are encoded as RESP as they come; <see cref="Flush"/> sends them.
/// </summary>
internal sealed class StringBatch : IDisposable
{
    private readonly RespCommandBuffer _pairs;
    private readonly int _maxKeys;
    private readonly int _maxBytes;
    private byte[]? _firstKey;
    private int _firstDb;
    private int _group;

    public StringBatch(int maxKeys, int maxBytes)
    {
        _maxKeys = maxKeys;
        _maxBytes = maxBytes;
        _pairs = new RespCommandBuffer(maxBytes + 1024);
    }

    public int Count { get; private set; }

    /// <summary>Whether a value this long is worth batching: a long one costs redis-server the same either way.</summary>
    public bool Takes(int valueLength) => valueLength <= _maxBytes / 4;

    /// <summary>
    /// Adds a pair, sending the batch first when it is full or holds keys of another <paramref name="group"/> (keys of
    /// one MSET must share a cluster slot).
    /// </summary>
    // Once per key of a restore: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Add(IRestoreCommandSink sink, byte[] key, int db, int group, ReadOnlySpan<byte> value)
    {
        if (Count > 0 && (group != _group || Count >= _maxKeys || _pairs.Length + key.Length + value.Length > _maxBytes))
        {
            Flush(sink);
        }

        if (Count == 0)
        {
            (_firstKey, _firstDb, _group) = (key, db, group);
        }

        _pairs.Bulk(key);
        _pairs.Bulk(value);
        Count++;
    }

    public void Flush(IRestoreCommandSink sink)
    {
        if (Count == 0)
        {
            return;
        }

        RespCommandBuffer command = sink.Begin(_firstKey);
        command.BeginCommand(1 + (2 * Count));
        command.Raw("$4\r\nMSET\r\n"u8);
        command.Raw(_pairs.Written.Span);
        sink.Commit(new RestoreCommandInfo("MSET", _firstKey, _firstDb, Count));
        _pairs.Clear();
        _firstKey = null;
        Count = 0;
    }

    public void Dispose() => _pairs.Dispose();
}
