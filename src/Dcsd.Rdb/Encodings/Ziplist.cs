using System.Buffers.Binary;

namespace Dcsd.Rdb.Encodings;

/// <summary>Forward reader over a ziplist blob (§2.2) checking sizes, prev-lengths, the tail offset and the terminator.</summary>
internal ref struct ZiplistReader
{
    private readonly ReadOnlySpan<byte> _blob;
    private readonly int _tail;
    private int _pos;
    private int _previousEntryLength;
    private int _lastEntryStart;

    public ZiplistReader(ReadOnlySpan<byte> blob)
    {
        PackedBlob.CheckFrame(blob, 11, "ziplist", "zlbytes");

        _blob = blob;
        _tail = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]), int.MaxValue);
        DeclaredCount = BinaryPrimitives.ReadUInt16LittleEndian(blob[8..]);
        _pos = 10;
        _previousEntryLength = 0;
        _lastEntryStart = 10;
        Count = 0;
    }

    /// <summary>Entry count from the header; 65535 means "count by walking".</summary>
    public int DeclaredCount { get; }

    public int Count { get; private set; }

    public bool TryRead(out PackedElement element)
    {
        ReadOnlySpan<byte> b = _blob;
        int p = _pos;
        if (b[p] == 0xFF)
        {
            if (p != b.Length - 1)
            {
                throw new FormatException("ziplist terminator before the end of the blob");
            }

            if (DeclaredCount != 65535 && DeclaredCount != Count)
            {
                throw new FormatException($"ziplist declares {DeclaredCount} entries but holds {Count}");
            }

            if (_tail != (Count == 0 ? 10 : _lastEntryStart))
            {
                throw new FormatException($"ziplist tail offset {_tail} does not point at the last entry");
            }

            element = default;
            return false;
        }

        int start = p;
        int prevlen;
        if (b[p] < 254)
        {
            prevlen = b[p];
            p += 1;
        }
        else if (b[p] == 254)
        {
            Need(p, 5);
            prevlen = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(b[(p + 1)..]), int.MaxValue);
            p += 5;
        }
        else
        {
            throw new FormatException("invalid ziplist prevlen");
        }

        if (prevlen != _previousEntryLength)
        {
            throw new FormatException($"ziplist prevlen {prevlen} does not match the previous entry length {_previousEntryLength}");
        }

        Need(p, 1);
        byte enc = b[p];
        switch (enc >> 6)
        {
            case 0:
            {
                int len = enc & 0x3F;
                Need(p, 1 + len);
                element = new PackedElement(b.Slice(p + 1, len));
                p += 1 + len;
                break;
            }

            case 1:
            {
                Need(p, 2);
                int len = ((enc & 0x3F) << 8) | b[p + 1];
                Need(p, 2 + len);
                element = new PackedElement(b.Slice(p + 2, len));
                p += 2 + len;
                break;
            }

            case 2:
            {
                if (enc != 0x80)
                {
                    throw new FormatException($"invalid ziplist string encoding 0x{enc:X2}");
                }

                Need(p, 5);
                uint len = BinaryPrimitives.ReadUInt32BigEndian(b[(p + 1)..]);
                if (len > (uint)(b.Length - p - 5))
                {
                    throw new FormatException("ziplist string runs past the blob");
                }

                element = new PackedElement(b.Slice(p + 5, (int)len));
                p += 5 + (int)len;
                break;
            }

            default:
                switch (enc)
                {
                    case 0xC0:
                        Need(p, 3);
                        element = new PackedElement(BinaryPrimitives.ReadInt16LittleEndian(b[(p + 1)..]));
                        p += 3;
                        break;
                    case 0xD0:
                        Need(p, 5);
                        element = new PackedElement(BinaryPrimitives.ReadInt32LittleEndian(b[(p + 1)..]));
                        p += 5;
                        break;
                    case 0xE0:
                        Need(p, 9);
                        element = new PackedElement(BinaryPrimitives.ReadInt64LittleEndian(b[(p + 1)..]));
                        p += 9;
                        break;
                    case 0xF0:
                        Need(p, 4);
                        element = new PackedElement((b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16)) << 8 >> 8);
                        p += 4;
                        break;
                    case 0xFE:
                        Need(p, 2);
                        element = new PackedElement((sbyte)b[p + 1]);
                        p += 2;
                        break;
                    default:
                        if (enc >= 0xF1 && enc <= 0xFD)
                        {
                            element = new PackedElement((enc & 0x0F) - 1);
                            p += 1;
                            break;
                        }

                        throw new FormatException($"invalid ziplist entry encoding 0x{enc:X2}");
                }

                break;
        }

        _lastEntryStart = start;
        _previousEntryLength = p - start;
        _pos = p;
        Count++;
        return true;
    }

    private readonly void Need(int p, int size)
    {
        if (size < 0 || (long)p + size >= _blob.Length)
        {
            throw new FormatException("ziplist entry runs past the blob");
        }
    }
}
