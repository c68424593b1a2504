using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dcsd.Rdb.Census;

namespace Dcsd.Rdb.Reading;

/// <summary>
/// Verification fast path for the commonest records, small plain strings ("[EXPIRETIME_MS t] 0x00 key value",
/// both under 64 bytes): they are checked and counted straight from the buffer, without per-field calls.
/// Anything else, and any key the census must name, goes through the general path.
/// </summary>
internal sealed partial class RdbParser
{
    private const int LongestShortRecord = 9 + 1 + 64 + 64;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SkipShortStringRun(CensusBuilder census)
    {
        ReadOnlySpan<byte> buffer = Input.Buffered;
        // Without bounds checks: the loop runs only while a whole record of the longest form fits in the buffer, so
        // every byte it looks at is in range. Each record costs two dependent loads (key length, then value length).
        ref byte start = ref MemoryMarshal.GetReference(buffer);
        long sizeLimit = census.LargestThreshold;
        long nowMs = census.NowMs;
        int last = buffer.Length - LongestShortRecord;
        int p = 0;
        long keys = 0;
        long expires = 0;
        long expired = 0;
        while (p < last)
        {
            int q = p;
            bool hasExpire = Unsafe.Add(ref start, q) == OpExpireTimeMs;
            long expireAt = 0;
            if (hasExpire)
            {
                expireAt = BinaryPrimitives.ReadInt64LittleEndian(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref start, q + 1), 8));
                q += 9;
            }

            int keyLength = Unsafe.Add(ref start, q + 1);
            if (Unsafe.Add(ref start, q) != (byte)RdbObjectType.String || keyLength >= 64)
            {
                break;
            }

            int valueAt = q + 2 + keyLength;
            int valueLength = Unsafe.Add(ref start, valueAt);
            int next = valueAt + 1 + valueLength;
            if (valueLength >= 64 || next - q > sizeLimit)
            {
                break; // a longer or encoded value, or a key the census keeps by name: general path
            }

            keys++;
            if (hasExpire)
            {
                expires++;
                if (expireAt < nowMs)
                {
                    expired++;
                }
            }

            p = next;
        }

        if (keys > 0)
        {
            Input.Advance(p);
            census.AddShortStrings(Database, keys, expires, expired);
        }
    }
}
