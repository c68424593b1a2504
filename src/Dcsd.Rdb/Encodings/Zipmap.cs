using System.Buffers.Binary;

namespace Dcsd.Rdb.Encodings;

/// <summary>Zipmap blob (§2.5, Redis 2.4 hashes): alternating key and value entries, values followed by free bytes.</summary>
internal ref struct ZipmapReader
{
    private readonly ReadOnlySpan<byte> _blob;
    private int _pos;

    public ZipmapReader(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 2 || blob[^1] != 0xFF)
        {
            throw new FormatException("zipmap does not end with 0xFF");
        }

        _blob = blob;
        _pos = 1;
        DeclaredCount = blob[0];
    }

    /// <summary>Pair count from the header; 254 or more means "unknown".</summary>
    public int DeclaredCount { get; }

    public int Count { get; private set; }

    public bool TryRead(out ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value)
    {
        if (_blob[_pos] == 0xFF)
        {
            if (_pos != _blob.Length - 1)
            {
                throw new FormatException("zipmap terminator before the end of the blob");
            }

            if (DeclaredCount < 254 && DeclaredCount != Count)
            {
                throw new FormatException($"zipmap declares {DeclaredCount} pairs but holds {Count}");
            }

            field = default;
            value = default;
            return false;
        }

        field = ReadItem(withFree: false);
        value = ReadItem(withFree: true);
        Count++;
        return true;
    }

    private ReadOnlySpan<byte> ReadItem(bool withFree)
    {
        int p = _pos;
        long len = _blob[p];
        if (len == 0xFF)
        {
            throw new FormatException("zipmap ends in the middle of a pair");
        }

        p++;
        if (len == 254)
        {
            if (p + 4 >= _blob.Length)
            {
                throw new FormatException("zipmap length runs past the blob");
            }

            len = BinaryPrimitives.ReadUInt32LittleEndian(_blob[p..]);
            p += 4;
        }

        int free = 0;
        if (withFree)
        {
            if (p >= _blob.Length)
            {
                throw new FormatException("zipmap value runs past the blob");
            }

            free = _blob[p];
            p++;
        }

        if (p + len + free >= _blob.Length)
        {
            throw new FormatException("zipmap entry runs past the blob");
        }

        ReadOnlySpan<byte> item = _blob.Slice(p, (int)len);
        _pos = p + (int)len + free;
        return item;
    }
}
