using System.Buffers.Binary;
using System.Runtime.CompilerServices;
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
        long sizeLimit = census.LargestThreshold;
        long nowMs = census.NowMs;
        int p = 0;
        long keys = 0;
        long expires = 0;
        long expired = 0;
        while (buffer.Length - p > LongestShortRecord)
        {
            int q = p;
            bool hasExpire = false;
            long expireAt = 0;
            if (buffer[q] == OpExpireTimeMs)
            {
                expireAt = BinaryPrimitives.ReadInt64LittleEndian(buffer[(q + 1)..]);
                hasExpire = true;
                q += 9;
            }

            if (buffer[q] != (byte)RdbObjectType.String)
            {
                break;
            }

            int keyLength = buffer[q + 1];
            if (keyLength >= 64)
            {
                break;
            }

            int valueAt = q + 2 + keyLength;
            int valueLength = buffer[valueAt];
            if (valueLength >= 64)
            {
                break;
            }

            int next = valueAt + 1 + valueLength;
            if (next - q > sizeLimit)
            {
                break; // the census keeps this key's name: general path
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
