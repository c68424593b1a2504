using System.Buffers.Binary;

namespace Dcsd.Rdb.Encodings;

/// <summary>The frame ziplists and listpacks share: a 32-bit total length that must equal the blob's, and a 0xFF terminator.</summary>
internal static class PackedBlob
{
    public static void CheckFrame(ReadOnlySpan<byte> blob, int headerAndTerminatorLength, string kind, string lengthFieldName)
    {
        if (blob.Length < headerAndTerminatorLength)
        {
            throw new FormatException($"{kind} shorter than its header");
        }

        uint declared = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (declared != (uint)blob.Length)
        {
            throw new FormatException($"{kind} {lengthFieldName} {declared} differs from its blob length {blob.Length}");
        }

        if (blob[^1] != 0xFF)
        {
            throw new FormatException($"{kind} does not end with 0xFF");
        }
    }
}
