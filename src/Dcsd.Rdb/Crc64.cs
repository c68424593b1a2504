using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Dcsd.Rdb;

/// <summary>
/// CRC-64/Jones as Redis computes it (crc64.c): reflected polynomial 0x95AC9329AC4BC9B5, initial value 0, no final xor.
/// Slicing-by-8 keeps verification well above disk and network speed.
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
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
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
