using System.Buffers.Binary;
using System.Buffers.Text;

namespace Dcsd.Rdb;

/// <summary>The serialized form of a string value (the dump body of a <see cref="RdbObjectType.String"/> key), read in place.</summary>
public static class RdbStringBody
{
    /// <summary>Room for the decimal form of any integer-encoded string.</summary>
    public const int MaxIntegerDigits = 20;

    /// <summary>
    /// The string's bytes: in place for a raw string, or formatted into <paramref name="digits"/> (at least
    /// <see cref="MaxIntegerDigits"/> bytes) for one stored as an integer. False for an LZF-compressed string, and for a
    /// body that is not exactly one string.
    /// </summary>
    public static bool TryGetValue(ReadOnlySpan<byte> body, Span<byte> digits, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (body.IsEmpty)
        {
            return false;
        }

        byte first = body[0];
        ulong length;
        int header;
        switch (first >> 6)
        {
            case 0:
                (length, header) = ((ulong)(first & 0x3F), 1);
                break;
            case 1 when body.Length >= 2:
                (length, header) = ((ulong)(((first & 0x3F) << 8) | body[1]), 2);
                break;
            case 2 when first == 0x80 && body.Length >= 5:
                (length, header) = (BinaryPrimitives.ReadUInt32BigEndian(body[1..]), 5);
                break;
            case 2 when first == 0x81 && body.Length >= 9:
                (length, header) = (BinaryPrimitives.ReadUInt64BigEndian(body[1..]), 9);
                break;
            case 3:
                return TryFormatInteger(first & 0x3F, body[1..], digits, out value);
            default:
                return false;
        }

        if (length != (ulong)(body.Length - header))
        {
            return false;
        }

        value = body[header..];
        return true;
    }

    private static bool TryFormatInteger(int encoding, ReadOnlySpan<byte> bytes, Span<byte> digits, out ReadOnlySpan<byte> value)
    {
        value = default;
        long integer;
        switch (encoding)
        {
            case 0 when bytes.Length == 1:
                integer = (sbyte)bytes[0];
                break;
            case 1 when bytes.Length == 2:
                integer = BinaryPrimitives.ReadInt16LittleEndian(bytes);
                break;
            case 2 when bytes.Length == 4:
                integer = BinaryPrimitives.ReadInt32LittleEndian(bytes);
                break;
            default:
                return false;
        }

        if (!Utf8Formatter.TryFormat(integer, digits, out int written))
        {
            return false;
        }

        value = digits[..written];
        return true;
    }
}
