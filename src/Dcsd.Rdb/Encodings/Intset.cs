using System.Buffers.Binary;

namespace Dcsd.Rdb.Encodings;

/// <summary>Intset blob (§2.4): encoding 2|4|8, count, sorted unique little-endian integers.</summary>
internal ref struct IntsetReader
{
    private readonly ReadOnlySpan<byte> _blob;
    private readonly int _width;
    private int _index;
    private long _previous;

    public IntsetReader(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 8)
        {
            throw new FormatException("intset shorter than its header");
        }

        uint width = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (width is not (2 or 4 or 8))
        {
            throw new FormatException($"invalid intset encoding {width}");
        }

        if ((ulong)blob.Length != 8 + ((ulong)width * count))
        {
            throw new FormatException($"intset of {count} × {width} bytes does not fill its {blob.Length}-byte blob");
        }

        _blob = blob;
        _width = (int)width;
        Count = (int)count;
        _index = 0;
        _previous = long.MinValue;
    }

    public int Count { get; }

    public bool TryRead(out long value)
    {
        if (_index >= Count)
        {
            value = 0;
            return false;
        }

        ReadOnlySpan<byte> at = _blob[(8 + (_index * _width))..];
        value = _width switch
        {
            2 => BinaryPrimitives.ReadInt16LittleEndian(at),
            4 => BinaryPrimitives.ReadInt32LittleEndian(at),
            _ => BinaryPrimitives.ReadInt64LittleEndian(at),
        };
        if (_index > 0 && value <= _previous)
        {
            throw new FormatException("intset members are not sorted and unique");
        }

        _previous = value;
        _index++;
        return true;
    }
}
