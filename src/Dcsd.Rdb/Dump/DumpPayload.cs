using System.Buffers.Binary;

namespace Dcsd.Rdb;

/// <summary>DUMP/RESTORE payloads (§3.1): [type][value as in the RDB][RDB version, uint16 LE][CRC64 of all before, LE].</summary>
public static class DumpPayload
{
    public const int FooterLength = 10;

    /// <summary>Builds the payload DUMP would return for a value serialized as <paramref name="body"/>.</summary>
    public static byte[] Create(RdbObjectType type, ReadOnlySpan<byte> body, int rdbVersion)
    {
        var payload = new byte[LengthFor(body)];
        Write(payload, type, body, rdbVersion);
        return payload;
    }

    /// <summary>Length of the payload for a value serialized as <paramref name="body"/>.</summary>
    public static int LengthFor(ReadOnlySpan<byte> body) => 1 + body.Length + FooterLength;

    /// <summary>Writes the payload into <paramref name="destination"/>, exactly <see cref="LengthFor"/> bytes (e.g. straight into a command buffer).</summary>
    // Once per key of a restore: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Write(Span<byte> destination, RdbObjectType type, ReadOnlySpan<byte> body, int rdbVersion)
    {
        destination[0] = (byte)type;
        body.CopyTo(destination[1..]);
        StampFooter(destination[..LengthFor(body)], rdbVersion);
    }

    /// <summary>Rewrites the version and CRC of a payload in place, e.g. to restamp it for an older target (§3.2).</summary>
    // Once per key of a restore: compile optimized at once rather than through the tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void StampFooter(Span<byte> payload, int rdbVersion)
    {
        if (payload.Length < 1 + FooterLength)
        {
            throw new ArgumentException("payload too short", nameof(payload));
        }

        int versionAt = payload.Length - FooterLength;
        BinaryPrimitives.WriteUInt16LittleEndian(payload[versionAt..], (ushort)rdbVersion);
        ulong crc = Crc64.Compute(payload[..(versionAt + 2)]);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[(versionAt + 2)..], crc);
    }

    /// <summary>True when the footer CRC matches, as RESTORE checks it.</summary>
    public static bool HasValidChecksum(ReadOnlySpan<byte> payload) =>
        payload.Length >= 1 + FooterLength
        && Crc64.Compute(payload[..^8]) == BinaryPrimitives.ReadUInt64LittleEndian(payload[^8..]);

    public static int Version(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadUInt16LittleEndian(payload[^FooterLength..]);
}
