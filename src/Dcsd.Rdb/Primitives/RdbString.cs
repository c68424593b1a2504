using System.Buffers.Binary;
using System.Buffers.Text;

namespace Dcsd.Rdb.Primitives;

internal enum RdbStringKind : byte
{
    Raw,
    Integer,
    Lzf,
}

/// <summary>The header of an RDB string (§1.4): raw length, an integer, or LZF sizes.</summary>
internal readonly struct RdbStringHeader
{
    public RdbStringHeader(RdbStringKind kind, long length, long compressedLength, long integer)
    {
        Kind = kind;
        Length = length;
        CompressedLength = compressedLength;
        Integer = integer;
    }

    public RdbStringKind Kind { get; }

    /// <summary>Length of the string value (for integers: of its decimal form).</summary>
    public long Length { get; }

    public long CompressedLength { get; }

    public long Integer { get; }
}

/// <summary>Reading, skipping and materializing RDB strings.</summary>
internal static class RdbString
{
    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static RdbStringHeader ReadHeader(RdbInput input)
    {
        long start = input.Offset;
        if (input.TryReadLength(out ulong length))
        {
            if (length > long.MaxValue)
            {
                throw input.Error($"string length {length} is out of range", start);
            }

            return new RdbStringHeader(RdbStringKind.Raw, (long)length, 0, 0);
        }

        switch (length)
        {
            case 0:
                return IntegerHeader((sbyte)input.ReadByte());
            case 1:
                return IntegerHeader(BinaryPrimitives.ReadInt16LittleEndian(input.ReadSpan(2)));
            case 2:
                return IntegerHeader(input.ReadInt32LittleEndian());
            case 3:
                ulong compressed = input.ReadLength();
                ulong plain = input.ReadLength();
                if (compressed == 0 || compressed > long.MaxValue / Lzf.MaxExpansionRatio || plain > compressed * Lzf.MaxExpansionRatio)
                {
                    throw input.Error($"LZF string with impossible sizes (compressed {compressed}, plain {plain})", start);
                }

                return new RdbStringHeader(RdbStringKind.Lzf, (long)plain, (long)compressed, 0);
            default:
                throw input.Error($"unknown string encoding {length}", start);
        }
    }

    private static RdbStringHeader IntegerHeader(long value) =>
        new(RdbStringKind.Integer, DecimalLength(value), 0, value);

    public static int DecimalLength(long value)
    {
        Span<byte> digits = stackalloc byte[24];
        Utf8Formatter.TryFormat(value, digits, out int written);
        return written;
    }

    /// <summary>Skips a string; LZF data is still checked (in constant memory).</summary>
    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Skip(RdbInput input)
    {
        RdbStringHeader header = ReadHeader(input);
        switch (header.Kind)
        {
            case RdbStringKind.Raw:
                input.Skip(header.Length);
                break;
            case RdbStringKind.Lzf:
                Lzf.Validate(input, header.CompressedLength, header.Length);
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Reads a whole string into <paramref name="destination"/>. Memory grows only as bytes actually arrive,
    /// so a corrupt huge length fails with "end of file" instead of a huge allocation.
    /// </summary>
    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Span<byte> Read(RdbInput input, ScratchBuffer destination, ScratchBuffer lzfInput, long maxBytes, string what)
    {
        long start = input.Offset;
        RdbStringHeader header = ReadHeader(input);
        return Read(input, header, start, destination, lzfInput, maxBytes, what);
    }

    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Span<byte> Read(RdbInput input, RdbStringHeader header, long start, ScratchBuffer destination, ScratchBuffer lzfInput, long maxBytes, string what)
    {
        if (header.Length > maxBytes)
        {
            throw input.Error($"{what} of {header.Length} bytes exceeds the {maxBytes}-byte limit for values that must be held in memory", start);
        }

        switch (header.Kind)
        {
            case RdbStringKind.Integer:
            {
                Span<byte> digits = destination.GetSpan(24);
                Utf8Formatter.TryFormat(header.Integer, digits, out int written);
                return digits[..written];
            }

            case RdbStringKind.Raw:
                ReadGrowing(input, destination, (int)header.Length);
                return destination.Array.AsSpan(0, (int)header.Length);
            default:
            {
                if (header.CompressedLength > maxBytes)
                {
                    throw input.Error($"{what} of {header.CompressedLength} compressed bytes exceeds the memory limit", start);
                }

                int compressed = (int)header.CompressedLength;
                ReadGrowing(input, lzfInput, compressed);
                Span<byte> output = destination.GetSpan((int)header.Length);
                if (!Lzf.TryDecompress(lzfInput.Array.AsSpan(0, compressed), output))
                {
                    throw input.Error($"{what}: corrupt LZF data", start);
                }

                return output;
            }
        }
    }

    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ReadGrowing(RdbInput input, ScratchBuffer destination, int length)
    {
        int filled = 0;
        while (filled < length)
        {
            int step = Math.Min(length - filled, Math.Max(input.BufferCapacity, filled));
            destination.Ensure(filled + step, filled);
            input.ReadExactly(destination.Array.AsSpan(filled, step));
            filled += step;
        }
    }

    /// <summary>Reads a whole string as a new array.</summary>
    public static byte[] ReadArray(RdbInput input, ScratchBuffer scratch, ScratchBuffer lzfInput, long maxBytes, string what) =>
        Read(input, scratch, lzfInput, maxBytes, what).ToArray();
}
