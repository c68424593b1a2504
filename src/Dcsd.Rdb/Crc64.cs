using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dcsd.Rdb;

/// <summary>
/// CRC-64/Jones as Redis computes it (crc64.c): reflected polynomial 0x95AC9329AC4BC9B5, initial value 0, no final xor.
/// Long inputs are folded with carry-less multiplication (PCLMULQDQ, several GB/s per core), so the CRC of a whole
/// RDB costs a few milliseconds; short inputs and CPUs without it use slicing-by-8 tables.
/// </summary>
public static class Crc64
{
    private const ulong ReflectedPolynomial = 0x95AC9329AC4BC9B5UL;

    // Table[k][b]: the CRC contribution of byte b seen k positions before the end of an 8-byte block.
    private static readonly ulong[] Table = BuildTable();

    private static ulong[] BuildTable()
    {
        var table = new ulong[8 * 256];
        for (int b = 0; b < 256; b++)
        {
            ulong crc = (ulong)b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            }

            table[b] = crc;
        }

        for (int b = 0; b < 256; b++)
        {
            ulong crc = table[b];
            for (int k = 1; k < 8; k++)
            {
                crc = table[crc & 0xFF] ^ (crc >> 8);
                table[(k * 256) + b] = crc;
            }
        }

        return table;
    }

    /// <summary>Continues <paramref name="crc"/> over <paramref name="data"/>. Start with 0.</summary>
    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data) =>
        Pclmulqdq.IsSupported && data.Length >= FoldingLanes * 16 ? UpdateFolding(crc, data) : UpdateWithTables(crc, data);

    // Carry-less folding, in the reflected bit order of the data (bit i of a 64-bit lane is the coefficient of x^(63-i)):
    // a 128-bit block A·x^64 + B that lies d bits before the end of what has been read so far is congruent, modulo P,
    // to A·(x^(d+64) mod P) + B·(x^d mod P), which is 128 bits again. PCLMULQDQ of two reflected 64-bit values yields
    // their product times x, hence the constants x^(d+63) and x^(d-1). Eight independent lanes hide the multiplier's
    // latency; the folded remainder is finished with the tables, since CRC(M) depends only on M modulo P.
    private const int FoldingLanes = 8;

    private static readonly Vector128<ulong> FoldAcrossLanes = FoldingConstants(FoldingLanes * 128);

    // FoldBy[i] moves a lane i·128 bits forward, to join the lanes that follow it.
    private static readonly Vector128<ulong>[] FoldBy = [.. Enumerable.Range(0, FoldingLanes).Select(i => FoldingConstants(i * 128))];

    private static Vector128<ulong> FoldingConstants(int distanceBits) =>
        distanceBits == 0 ? default : Vector128.Create(XToThePowerModP(distanceBits + 63), XToThePowerModP(distanceBits - 1));

    /// <summary>x^n mod P in the reflected bit order (bit 63 is x^0).</summary>
    private static ulong XToThePowerModP(int n)
    {
        ulong value = 1UL << 63;
        for (int i = 0; i < n; i++)
        {
            value = (value & 1) != 0 ? (value >> 1) ^ ReflectedPolynomial : value >> 1;
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> lane, Vector128<ulong> constants) =>
        Pclmulqdq.CarrylessMultiply(lane, constants, 0x00) ^ Pclmulqdq.CarrylessMultiply(lane, constants, 0x11);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong UpdateFolding(ulong crc, ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        Vector128<ulong> x0 = Vector128.LoadUnsafe(ref start, 0).AsUInt64() ^ Vector128.CreateScalar(crc);
        Vector128<ulong> x1 = Vector128.LoadUnsafe(ref start, 16).AsUInt64();
        Vector128<ulong> x2 = Vector128.LoadUnsafe(ref start, 32).AsUInt64();
        Vector128<ulong> x3 = Vector128.LoadUnsafe(ref start, 48).AsUInt64();
        Vector128<ulong> x4 = Vector128.LoadUnsafe(ref start, 64).AsUInt64();
        Vector128<ulong> x5 = Vector128.LoadUnsafe(ref start, 80).AsUInt64();
        Vector128<ulong> x6 = Vector128.LoadUnsafe(ref start, 96).AsUInt64();
        Vector128<ulong> x7 = Vector128.LoadUnsafe(ref start, 112).AsUInt64();
        Vector128<ulong> across = FoldAcrossLanes;
        nuint offset = 128;
        nuint end = (nuint)data.Length;
        for (; offset + 128 <= end; offset += 128)
        {
            x0 = Fold(x0, across) ^ Vector128.LoadUnsafe(ref start, offset).AsUInt64();
            x1 = Fold(x1, across) ^ Vector128.LoadUnsafe(ref start, offset + 16).AsUInt64();
            x2 = Fold(x2, across) ^ Vector128.LoadUnsafe(ref start, offset + 32).AsUInt64();
            x3 = Fold(x3, across) ^ Vector128.LoadUnsafe(ref start, offset + 48).AsUInt64();
            x4 = Fold(x4, across) ^ Vector128.LoadUnsafe(ref start, offset + 64).AsUInt64();
            x5 = Fold(x5, across) ^ Vector128.LoadUnsafe(ref start, offset + 80).AsUInt64();
            x6 = Fold(x6, across) ^ Vector128.LoadUnsafe(ref start, offset + 96).AsUInt64();
            x7 = Fold(x7, across) ^ Vector128.LoadUnsafe(ref start, offset + 112).AsUInt64();
        }

        Vector128<ulong>[] foldBy = FoldBy;
        Vector128<ulong> folded = Fold(x0, foldBy[7]) ^ Fold(x1, foldBy[6]) ^ Fold(x2, foldBy[5]) ^ Fold(x3, foldBy[4])
            ^ Fold(x4, foldBy[3]) ^ Fold(x5, foldBy[2]) ^ Fold(x6, foldBy[1]) ^ x7;
        for (; offset + 16 <= end; offset += 16)
        {
            folded = Fold(folded, foldBy[1]) ^ Vector128.LoadUnsafe(ref start, offset).AsUInt64();
        }

        Span<byte> remainder = stackalloc byte[16];
        folded.AsByte().CopyTo(remainder);
        return UpdateWithTables(UpdateWithTables(0, remainder), data[(int)offset..]);
    }

    private static ulong UpdateWithTables(ulong crc, ReadOnlySpan<byte> data)
    {
        ref ulong t = ref MemoryMarshal.GetArrayDataReference(Table);
        while (data.Length >= 8)
        {
            crc ^= BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = Unsafe(ref t, 7 * 256, (int)(crc & 0xFF))
                ^ Unsafe(ref t, 6 * 256, (int)((crc >> 8) & 0xFF))
                ^ Unsafe(ref t, 5 * 256, (int)((crc >> 16) & 0xFF))
                ^ Unsafe(ref t, 4 * 256, (int)((crc >> 24) & 0xFF))
                ^ Unsafe(ref t, 3 * 256, (int)((crc >> 32) & 0xFF))
                ^ Unsafe(ref t, 2 * 256, (int)((crc >> 40) & 0xFF))
                ^ Unsafe(ref t, 1 * 256, (int)((crc >> 48) & 0xFF))
                ^ Unsafe(ref t, 0, (int)(crc >> 56));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = Table[(int)((crc ^ b) & 0xFF)] ^ (crc >> 8);
        }

        return crc;
    }

    public static ulong Compute(ReadOnlySpan<byte> data) => Update(0, data);

    // x^(2^k) mod P for k = 0..63, in the reflected bit order (bit 63 is x^0): lets Combine shift a CRC by any length.
    private static readonly ulong[] PowersOfX = BuildPowersOfX();

    /// <summary>
    /// The CRC of A‖B from CRC(A), CRC(B) and the length of B, so blocks can be checksummed in parallel
    /// (zlib's crc32_combine method, with initial value 0 and no final xor, as Redis uses).
    /// </summary>
    public static ulong Combine(ulong crcA, ulong crcB, long lengthB)
    {
        if (lengthB <= 0)
        {
            return crcA ^ crcB;
        }

        // Multiply CRC(A) by x^(8·lengthB) modulo P.
        ulong shift = 1UL << 63;
        ulong bits = (ulong)lengthB;
        int k = 3;
        while (bits != 0)
        {
            if ((bits & 1) != 0)
            {
                shift = MultiplyModP(PowersOfX[k & 63], shift);
            }

            bits >>= 1;
            k++;
        }

        return MultiplyModP(shift, crcA) ^ crcB;
    }

    private static ulong MultiplyModP(ulong a, ulong b)
    {
        ulong m = 1UL << 63;
        ulong product = 0;
        while (true)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                if ((a & (m - 1)) == 0)
                {
                    break;
                }
            }

            m >>= 1;
            b = (b & 1) != 0 ? (b >> 1) ^ ReflectedPolynomial : b >> 1;
        }

        return product;
    }

    private static ulong[] BuildPowersOfX()
    {
        var powers = new ulong[64];
        ulong p = 1UL << 62; // x^1
        powers[0] = p;
        for (int n = 1; n < 64; n++)
        {
            p = MultiplyModP(p, p);
            powers[n] = p;
        }

        return powers;
    }

    private static ulong Unsafe(ref ulong table, int row, int index) =>
        System.Runtime.CompilerServices.Unsafe.Add(ref table, row + index);
}
