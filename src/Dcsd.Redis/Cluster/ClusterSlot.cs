namespace Dcsd.Redis.Cluster;

/// <summary>
/// Redis Cluster key slots, computed exactly as Redis does (<c>keyHashSlot</c>): CRC16/XMODEM of the key, or of the
/// text between the first '{' and the first '}' after it when that text is non-empty, modulo 16384.
/// </summary>
public static class ClusterSlot
{
    /// <summary>Number of slots in a Redis cluster.</summary>
    public const int Count = 16384;

    public static int Of(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        if (open >= 0)
        {
            // Only the first '{' counts, and only a non-empty tag: "{}x" hashes the whole key (Redis' rule).
            int close = key[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                return OfTag(key.Slice(open + 1, close));
            }
        }

        return OfTag(key);
    }

    /// <summary>The slot of these exact bytes, without looking for a hash tag.</summary>
    public static int OfTag(ReadOnlySpan<byte> bytes) => Crc16(bytes) & (Count - 1);

    /// <summary>CRC16/XMODEM (polynomial 0x1021, initial value 0, no reflection), as in Redis' crc16.c.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> bytes)
    {
        ushort crc = 0;
        foreach (byte b in bytes)
        {
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xff]);
        }

        return crc;
    }

    private static readonly ushort[] Table = BuildTable();

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            ushort crc = (ushort)(i << 8);
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }

            table[i] = crc;
        }

        return table;
    }
}
