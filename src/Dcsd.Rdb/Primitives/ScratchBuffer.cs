using System.Buffers;

namespace Dcsd.Rdb.Primitives;

/// <summary>A growable pooled byte buffer reused across values, so decoding does not allocate per key.</summary>
internal sealed class ScratchBuffer : IDisposable
{
    private byte[] _array;

    public ScratchBuffer(int initialSize = 256) => _array = ArrayPool<byte>.Shared.Rent(initialSize);

    public byte[] Array => _array;

    public Span<byte> GetSpan(int length)
    {
        Ensure(length);
        return _array.AsSpan(0, length);
    }

    /// <summary>Grows to at least <paramref name="length"/> bytes, keeping the first <paramref name="keep"/> bytes.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Ensure(int length, int keep = 0)
    {
        if (_array.Length < length)
        {
            Grow(length, keep);
        }
    }

    private void Grow(int length, int keep)
    {
        int size = (int)Math.Min(Math.Max((long)length, (long)_array.Length * 2), System.Array.MaxLength);
        byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
        _array.AsSpan(0, keep).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }

    public void Dispose()
    {
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }
    }
}
