using System.Buffers.Binary;

namespace Dcsd.Rdb.Encodings;

/// <summary>Forward reader over a listpack blob (§2.3) that checks every element, its back-length and the terminator.</summary>
internal ref struct ListpackReader
{
    private readonly ReadOnlySpan<byte> _blob;
    private int _pos;

    public ListpackReader(ReadOnlySpan<byte> blob)
    {
        PackedBlob.CheckFrame(blob, 7, "listpack", "total-bytes");

        _blob = blob;
        DeclaredCount = BinaryPrimitives.ReadUInt16LittleEndian(blob[4..]);
        _pos = 6;
        Count = 0;
    }

    /// <summary>Element count from the header; 65535 means "unknown".</summary>
    public int DeclaredCount { get; }

    public int Count { get; private set; }

    public bool TryRead(out PackedElement element)
    {
        ReadOnlySpan<byte> b = _blob;
        int p = _pos;
        byte first = b[p];
        if (first == 0xFF)
        {
            if (p != b.Length - 1)
            {
                throw new FormatException("listpack terminator before the end of the blob");
            }

            if (DeclaredCount != 65535 && DeclaredCount != Count)
            {
                throw new FormatException($"listpack declares {DeclaredCount} elements but holds {Count}");
            }

            element = default;
            return false;
        }

        int entryLength;
        if ((first & 0x80) == 0)
        {
            element = new PackedElement(first & 0x7F);
            entryLength = 1;
        }
        else if ((first & 0xC0) == 0x80)
        {
            int len = first & 0x3F;
            Need(p, 1 + len);
            element = new PackedElement(b.Slice(p + 1, len));
            entryLength = 1 + len;
        }
        else if ((first & 0xE0) == 0xC0)
        {
            Need(p, 2);
            int u = ((first & 0x1F) << 8) | b[p + 1];
            element = new PackedElement(u >= 4096 ? u - 8192 : u);
            entryLength = 2;
        }
        else if ((first & 0xF0) == 0xE0)
        {
            Need(p, 2);
            int len = ((first & 0x0F) << 8) | b[p + 1];
            Need(p, 2 + len);
            element = new PackedElement(b.Slice(p + 2, len));
            entryLength = 2 + len;
        }
        else
        {
            switch (first)
            {
                case 0xF0:
                {
                    Need(p, 5);
                    uint len = BinaryPrimitives.ReadUInt32LittleEndian(b[(p + 1)..]);
                    if (len > (uint)(b.Length - p - 5))
                    {
                        throw new FormatException("listpack string runs past the blob");
                    }

                    element = new PackedElement(b.Slice(p + 5, (int)len));
                    entryLength = 5 + (int)len;
                    break;
                }

                case 0xF1:
                    Need(p, 3);
                    element = new PackedElement(BinaryPrimitives.ReadInt16LittleEndian(b[(p + 1)..]));
                    entryLength = 3;
                    break;
                case 0xF2:
                    Need(p, 4);
                    element = new PackedElement((b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16)) << 8 >> 8);
                    entryLength = 4;
                    break;
                case 0xF3:
                    Need(p, 5);
                    element = new PackedElement(BinaryPrimitives.ReadInt32LittleEndian(b[(p + 1)..]));
                    entryLength = 5;
                    break;
                case 0xF4:
                    Need(p, 9);
                    element = new PackedElement(BinaryPrimitives.ReadInt64LittleEndian(b[(p + 1)..]));
                    entryLength = 9;
                    break;
                default:
                    throw new FormatException($"invalid listpack element encoding 0x{first:X2}");
            }
        }

        int backlenSize = entryLength <= 127 ? 1 : entryLength < 16383 ? 2 : entryLength < 2097151 ? 3 : entryLength < 268435455 ? 4 : 5;
        Need(p, entryLength + backlenSize);

        // The back-length is stored big-end-last, 7 bits per byte; it must name this entry's size.
        long backlen = 0;
        for (int i = 0; i < backlenSize; i++)
        {
            backlen |= (long)(b[p + entryLength + backlenSize - 1 - i] & 0x7F) << (7 * i);
        }

        if (backlen != entryLength)
        {
            throw new FormatException($"listpack back-length {backlen} does not match the entry size {entryLength}");
        }

        _pos = p + entryLength + backlenSize;
        Count++;
        return true;
    }

    private readonly void Need(int p, int size)
    {
        // The terminator must still follow, hence ">=".
        if (size < 0 || (long)p + size >= _blob.Length)
        {
            throw new FormatException("listpack element runs past the blob");
        }
    }
}
