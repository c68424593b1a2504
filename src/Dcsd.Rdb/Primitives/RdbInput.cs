using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Dcsd.Rdb.Primitives;

/// <summary>
/// Block-buffered forward reader over the RDB stream. It owns one pooled buffer, folds every consumed byte
/// into the running CRC64 in whole blocks (not per byte), and can capture the bytes of a value as they are
/// consumed (for DUMP payloads) without ever holding more than the caller's limit.
/// </summary>
internal sealed class RdbInput : IDisposable
{
    internal const int DefaultBufferSize = 1 << 20;

    private readonly Stream _stream;
    private byte[] _buffer;
    private byte[] _spare;       // the other half of the double buffer, while the CRC worker may still read it
    private BlockCrc? _spareCrc;
    private BlockCrc? _lastHandOff;

    // CRCs of handed-off parts, computed independently on worker threads and folded in order with Crc64.Combine.
    private readonly Queue<BlockCrc> _pendingCrcs = new();
    private int _pos;
    private int _end;
    private long _bufferStart;   // absolute stream offset of _buffer[0]
    private bool _streamEnded;

    private bool _crcActive = true;
    private int _crcPos;         // bytes of the buffer before this index are already in _crc
    private ulong _crc;

    private bool _capturing;
    private int _captureStart;   // buffer index from which consumed bytes still have to be appended to the capture
    private ScratchBuffer? _capture;
    private int _captureLength;
    private long _captureLimit;
    private bool _captureOverflowed;

    private bool _confined;

    private readonly CancellationToken _cancellationToken;

    public RdbInput(Stream stream, int bufferSize = DefaultBufferSize, CancellationToken cancellationToken = default)
    {
        _stream = stream;
        _cancellationToken = cancellationToken;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        _spare = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    public long Offset => _bufferStart + _pos;

    public int BufferCapacity => _buffer.Length;

    public RdbFormatException Error(string message) => new(message, Offset);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Reads as input.Error(...) at every call site, next to the offset-less overload.")]
    public RdbFormatException Error(string message, long offset) => new(message, offset);

    // ---- buffer management ----------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Ensure(int count)
    {
        if (_end - _pos < count)
        {
            Fill(count);
        }
    }

    /// <summary>Makes at least one byte available; false at the end of the stream.</summary>
    public bool TryEnsureSome()
    {
        if (_end > _pos)
        {
            return true;
        }

        return FillAtMost(1);
    }

    private void Fill(int count)
    {
        if (!FillAtMost(count))
        {
            throw Error($"unexpected end of file: needed {count} more byte(s), the stream has {_end - _pos}");
        }
    }

    /// <summary>Tries to have <paramref name="count"/> bytes available; returns false if the stream ends first.</summary>
    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private bool FillAtMost(int count)
    {
        if (_confined)
        {
            throw new BufferExhaustedException();
        }

        if (count > _buffer.Length)
        {
            throw new InvalidOperationException("read larger than the input buffer");
        }

        // Checked once per block, so even a single gigabyte value can be cancelled.
        _cancellationToken.ThrowIfCancellationRequested();
        bool handedOff = FlushConsumed(handOffCrc: true);
        int remaining = _end - _pos;
        if (handedOff)
        {
            // The CRC worker reads the consumed part of this buffer: continue in the other one.
            _spareCrc?.RunOrWait();
            Buffer.BlockCopy(_buffer, _pos, _spare, 0, remaining);
            (_buffer, _spare) = (_spare, _buffer);
            _spareCrc = _lastHandOff;
            _bufferStart += _pos;
            _pos = 0;
            _end = remaining;
            _crcPos = 0;
            _captureStart = 0;
        }
        else if (_pos > 0)
        {
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, remaining);
            _bufferStart += _pos;
            _pos = 0;
            _end = remaining;
            _crcPos = 0;
            _captureStart = 0;
        }

        while (_end < count && !_streamEnded)
        {
            int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read <= 0)
            {
                _streamEnded = true;
                break;
            }

            _end += read;
        }

        return _end >= count;
    }

    /// <summary>
    /// Folds consumed bytes into the CRC and the capture before they leave the buffer. With
    /// <paramref name="handOffCrc"/> a big enough consumed block goes to CRC workers, which run alongside
    /// the parser (their results are combined in order); returns true if it did.
    /// </summary>
    private bool FlushConsumed(bool handOffCrc = false)
    {
        bool handedOff = false;
        if (_crcActive && _pos > _crcPos)
        {
            if (handOffCrc && _pos - _crcPos >= ParallelCrcMinimum)
            {
                // One worker per block is enough: carry-less folding checksums faster than a stream can be read.
                BlockCrc crc = BlockCrc.Start(_buffer, _crcPos, _pos - _crcPos);
                _pendingCrcs.Enqueue(crc);
                _lastHandOff = crc;
                FoldCrcs(waitForAll: false);
                handedOff = true;
            }
            else
            {
                FoldCrcs(waitForAll: true);
                _crc = Crc64.Update(_crc, _buffer.AsSpan(_crcPos, _pos - _crcPos));
            }

            _crcPos = _pos;
        }

        if (_capturing && _pos > _captureStart)
        {
            AppendCapture(_buffer.AsSpan(_captureStart, _pos - _captureStart));
            _captureStart = _pos;
        }

        return handedOff;
    }

    private const int ParallelCrcMinimum = 256 * 1024;

    /// <summary>Folds the CRCs of handed-off parts into the running CRC, in order.</summary>
    private void FoldCrcs(bool waitForAll)
    {
        while (_pendingCrcs.Count > 0 && (waitForAll || _pendingCrcs.Peek().IsCompleted))
        {
            BlockCrc part = _pendingCrcs.Dequeue();
            _crc = Crc64.Combine(_crc, part.Result, part.Length);
        }
    }

    // ---- CRC -------------------------------------------------------------------------------

    /// <summary>Stops the CRC after the EOF opcode and returns the CRC of everything consumed so far.</summary>
    public ulong FinishCrc()
    {
        FlushConsumed();
        FoldCrcs(waitForAll: true);
        _crcActive = false;
        return _crc;
    }

    // ---- capture (DUMP payload bodies) -----------------------------------------------------

    public void BeginCapture(ScratchBuffer target, long limit)
    {
        _capturing = true;
        _capture = target;
        _captureStart = _pos;
        _captureLength = 0;
        _captureLimit = limit;
        _captureOverflowed = false;
    }

    public long CapturedSoFar => _captureLength + (_capturing ? _pos - _captureStart : 0);

    public bool CaptureOverflowed => _captureOverflowed || (_capturing && CapturedSoFar > _captureLimit);

    /// <summary>Ends the capture; returns the captured length, or -1 when it exceeded the limit.</summary>
    public int EndCapture()
    {
        FlushConsumed();
        _capturing = false;
        _capture = null;
        return _captureOverflowed ? -1 : _captureLength;
    }

    private void AppendCapture(ReadOnlySpan<byte> bytes)
    {
        if (_captureOverflowed)
        {
            return;
        }

        if (_captureLength + (long)bytes.Length > _captureLimit)
        {
            _captureOverflowed = true;
            return;
        }

        _capture!.Ensure(_captureLength + bytes.Length, _captureLength);
        bytes.CopyTo(_capture.Array.AsSpan(_captureLength));
        _captureLength += bytes.Length;
    }

    // ---- reads confined to the buffer (DUMP payload bodies taken in place) -------------------

    /// <summary>
    /// Starts a read served only from the bytes already buffered: one that needs more throws
    /// <see cref="BufferExhaustedException"/> instead of refilling. Until <see cref="EndConfined"/> nothing leaves the
    /// buffer and nothing is folded into the CRC, so the reader can go back with <see cref="RewindTo"/>.
    /// Returns the offset to go back to.
    /// </summary>
    public long BeginConfined()
    {
        _confined = true;
        return Offset;
    }

    public void EndConfined() => _confined = false;

    /// <summary>The bytes consumed since <paramref name="start"/>, a confined read's start (valid until the next read).</summary>
    public ReadOnlySpan<byte> ConsumedSince(long start) => new(_buffer, BufferIndexOf(start), (int)(Offset - start));

    /// <summary>Goes back to <paramref name="start"/>, the start of a confined read, with no read since it ended.</summary>
    public void RewindTo(long start) => _pos = BufferIndexOf(start);

    private int BufferIndexOf(long offset) =>
        offset >= _bufferStart && offset <= Offset
            ? (int)(offset - _bufferStart)
            : throw new InvalidOperationException("the bytes since that offset have left the input buffer");

    /// <summary>Moves the unread bytes to the front of the buffer and reads until it is full (or the stream ends).</summary>
    public void FillBuffer() => FillAtMost(_buffer.Length);

    // ---- primitives ------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        if (_pos < _end)
        {
            return _buffer[_pos++];
        }

        Fill(1);
        return _buffer[_pos++];
    }

    /// <summary>Returns the next <paramref name="count"/> bytes (count ≤ buffer size); valid until the next read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> ReadSpan(int count)
    {
        Ensure(count);
        var span = new ReadOnlySpan<byte>(_buffer, _pos, count);
        _pos += count;
        return span;
    }

    public long ReadInt64LittleEndian() => BinaryPrimitives.ReadInt64LittleEndian(ReadSpan(8));

    public int ReadInt32LittleEndian() => BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4));

    public double ReadDoubleLittleEndian() => BinaryPrimitives.ReadDoubleLittleEndian(ReadSpan(8));

    public float ReadSingleLittleEndian() => BinaryPrimitives.ReadSingleLittleEndian(ReadSpan(4));

    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Skip(long count)
    {
        while (count > 0)
        {
            int available = _end - _pos;
            if (available == 0)
            {
                Fill(1);
                available = _end - _pos;
            }

            int take = (int)Math.Min(available, count);
            _pos += take;
            count -= take;
        }
    }

    /// <summary>Copies <paramref name="destination"/>.Length bytes, streaming through the buffer.</summary>
    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ReadExactly(Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            int available = _end - _pos;
            if (available == 0)
            {
                Fill(1);
                available = _end - _pos;
            }

            int take = Math.Min(available, destination.Length);
            _buffer.AsSpan(_pos, take).CopyTo(destination);
            _pos += take;
            destination = destination[take..];
        }
    }

    /// <summary>Hands out the next bytes in buffer-sized pieces without copying (for streaming big strings).</summary>
    public ReadOnlySpan<byte> ReadPiece(long remaining)
    {
        int available = _end - _pos;
        if (available == 0)
        {
            Fill(1);
            available = _end - _pos;
        }

        int take = (int)Math.Min(available, remaining);
        var span = new ReadOnlySpan<byte>(_buffer, _pos, take);
        _pos += take;
        return span;
    }

    /// <summary>The bytes already in the buffer and not yet consumed (valid until the next read).</summary>
    public ReadOnlySpan<byte> Buffered => new(_buffer, _pos, _end - _pos);

    /// <summary>Consumes <paramref name="count"/> bytes of <see cref="Buffered"/>.</summary>
    public void Advance(int count) => _pos += count;

    /// <summary>Fast path for the most common RDB string: raw, under 64 bytes, already in the buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadShortRawString(out ReadOnlySpan<byte> value)
    {
        int p = _pos;
        if (_end - p > 64)
        {
            byte length = _buffer[p];
            if (length < 64)
            {
                value = new ReadOnlySpan<byte>(_buffer, p + 1, length);
                _pos = p + 1 + length;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Reads an RDB length (§1.4). Returns false with <paramref name="value"/> = the 6-bit kind for the
    /// "encoded" form (11xxxxxx), which only strings accept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadLength(out ulong value)
    {
        if (_end - _pos >= 9)
        {
            byte b = _buffer[_pos];
            switch (b >> 6)
            {
                case 0:
                    _pos++;
                    value = b;
                    return true;
                case 1:
                    value = (ulong)(((b & 0x3F) << 8) | _buffer[_pos + 1]);
                    _pos += 2;
                    return true;
                case 3:
                    _pos++;
                    value = (ulong)(b & 0x3F);
                    return false;
                default:
                    break;
            }
        }

        return TryReadLengthSlow(out value);
    }

    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private bool TryReadLengthSlow(out ulong value)
    {
        long start = Offset;
        byte b = ReadByte();
        switch (b >> 6)
        {
            case 0:
                value = b;
                return true;
            case 1:
                value = (ulong)(((b & 0x3F) << 8) | ReadByte());
                return true;
            case 3:
                value = (ulong)(b & 0x3F);
                return false;
            default:
                if (b == 0x80)
                {
                    value = BinaryPrimitives.ReadUInt32BigEndian(ReadSpan(4));
                    return true;
                }

                if (b == 0x81)
                {
                    value = BinaryPrimitives.ReadUInt64BigEndian(ReadSpan(8));
                    return true;
                }

                throw Error($"unknown length encoding 0x{b:X2}", start);
        }
    }

    /// <summary>Reads a plain length (no "encoded" form allowed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadLength()
    {
        long start = Offset;
        if (!TryReadLength(out ulong value))
        {
            throw Error("an encoded string marker where a length was expected", start);
        }

        return value;
    }

    /// <summary>A length that must also be a count of things that each take at least one byte.</summary>
    public long ReadCount(string what)
    {
        long start = Offset;
        ulong value = ReadLength();
        if (value > int.MaxValue * 64UL)
        {
            throw Error($"{what} count {value} is implausibly large", start);
        }

        return (long)value;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            // A CRC worker may still be reading a block: let it finish before the buffers go back to the pool.
            _lastHandOff?.RunOrWait();
            _spareCrc?.RunOrWait();
            ArrayPool<byte>.Shared.Return(_buffer);
            ArrayPool<byte>.Shared.Return(_spare);
            _buffer = [];
            _spare = [];
        }
    }
}
