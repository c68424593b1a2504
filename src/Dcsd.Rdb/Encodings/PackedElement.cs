using System.Buffers.Text;

namespace Dcsd.Rdb.Encodings;

/// <summary>One element of a ziplist, listpack, intset or zipmap: bytes, or an integer Redis treats as its decimal string.</summary>
internal readonly ref struct PackedElement
{
    public PackedElement(ReadOnlySpan<byte> bytes)
    {
        Bytes = bytes;
        Integer = 0;
        IsInteger = false;
    }

    public PackedElement(long integer)
    {
        Bytes = default;
        Integer = integer;
        IsInteger = true;
    }

    public ReadOnlySpan<byte> Bytes { get; }

    public long Integer { get; }

    public bool IsInteger { get; }

    public byte[] ToArray()
    {
        if (!IsInteger)
        {
            return Bytes.ToArray();
        }

        Span<byte> digits = stackalloc byte[24];
        Utf8Formatter.TryFormat(Integer, digits, out int written);
        return digits[..written].ToArray();
    }

    public int Length => IsInteger ? Primitives.RdbString.DecimalLength(Integer) : Bytes.Length;

    /// <summary>Parses the element as a zset score (Redis stores scores as strings or integers).</summary>
    public bool TryGetDouble(out double value)
    {
        if (IsInteger)
        {
            value = Integer;
            return true;
        }

        return Primitives.RdbDouble.TryParse(Bytes, out value);
    }
}
