using System.Buffers.Binary;

namespace Dcsd.Rdb.Encodings;

/// <summary>Decodes one stream listpack node (§2.7): a master entry, then delta-encoded entries.</summary>
internal static class StreamNode
{
    private const long FlagDeleted = 1;
    private const long FlagSameFields = 2;

    public static RdbStreamId ParseId(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != 16)
        {
            throw new FormatException($"stream id must be 16 bytes, got {raw.Length}");
        }

        return new RdbStreamId(BinaryPrimitives.ReadUInt64BigEndian(raw), BinaryPrimitives.ReadUInt64BigEndian(raw[8..]));
    }

    /// <summary>Walks the node; adds live entries to <paramref name="output"/> when given. Returns the live entry count.</summary>
    public static long Decode(RdbStreamId master, ReadOnlySpan<byte> listpack, List<RdbStreamEntry>? output)
    {
        var lp = new ListpackReader(listpack);
        long count = NextInteger(ref lp);
        long deleted = NextInteger(ref lp);
        long masterFieldCount = NextInteger(ref lp);
        if (count < 0 || deleted < 0 || masterFieldCount < 0 || masterFieldCount > listpack.Length)
        {
            throw new FormatException("stream node master entry has negative or impossible counts");
        }

        var masterFields = new byte[masterFieldCount][];
        for (int i = 0; i < masterFieldCount; i++)
        {
            masterFields[i] = Next(ref lp).ToArray();
        }

        if (NextInteger(ref lp) != 0)
        {
            throw new FormatException("stream node master entry is not terminated by 0");
        }

        long live = 0;
        long total = count + deleted;
        for (long e = 0; e < total; e++)
        {
            long flags = NextInteger(ref lp);
            long msDiff = NextInteger(ref lp);
            long seqDiff = NextInteger(ref lp);
            var id = new RdbStreamId(master.Milliseconds + (ulong)msDiff, master.Sequence + (ulong)seqDiff);
            bool keep = (flags & FlagDeleted) == 0;
            IReadOnlyList<byte[]> fields;
            byte[][] values;
            if ((flags & FlagSameFields) != 0)
            {
                fields = masterFields;
                values = new byte[masterFieldCount][];
                for (int i = 0; i < masterFieldCount; i++)
                {
                    values[i] = Next(ref lp).ToArray();
                }
            }
            else
            {
                long fieldCount = NextInteger(ref lp);
                if (fieldCount < 0 || fieldCount > listpack.Length)
                {
                    throw new FormatException("stream entry has an impossible field count");
                }

                var own = new byte[fieldCount][];
                values = new byte[fieldCount][];
                for (int i = 0; i < fieldCount; i++)
                {
                    own[i] = Next(ref lp).ToArray();
                    values[i] = Next(ref lp).ToArray();
                }

                fields = own;
            }

            NextInteger(ref lp); // lp-count, for backward iteration only
            if (keep)
            {
                live++;
                output?.Add(new RdbStreamEntry(id, fields, values));
            }
        }

        if (live != count)
        {
            throw new FormatException($"stream node declares {count} live entries but holds {live}");
        }

        if (lp.TryRead(out _))
        {
            throw new FormatException("stream node has data after its last entry");
        }

        return live;
    }

    private static PackedElement Next(ref ListpackReader lp)
    {
        if (!lp.TryRead(out PackedElement element))
        {
            throw new FormatException("stream node ends in the middle of an entry");
        }

        return element;
    }

    private static long NextInteger(ref ListpackReader lp)
    {
        PackedElement element = Next(ref lp);
        if (element.IsInteger)
        {
            return element.Integer;
        }

        if (System.Buffers.Text.Utf8Parser.TryParse(element.Bytes, out long value, out int consumed) && consumed == element.Bytes.Length)
        {
            return value;
        }

        throw new FormatException("stream node holds a string where an integer was expected");
    }
}
