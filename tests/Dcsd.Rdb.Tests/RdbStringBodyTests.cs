using System.Text;

namespace Dcsd.Rdb.Tests;

public sealed class RdbStringBodyTests
{
    public static TheoryData<byte[], string> Decodable => new()
    {
        { [0x00], "" },
        { [0x02, (byte)'h', (byte)'i'], "hi" },
        { [0x40 | 0x01, 0x00, .. Encoding.ASCII.GetBytes(new string('a', 256))], new string('a', 256) },
        { [0x80, 0x00, 0x00, 0x40, 0x00, .. Encoding.ASCII.GetBytes(new string('b', 16384))], new string('b', 16384) },
        { [0xC0, 0x80], "-128" },
        { [0xC0, 0x7F], "127" },
        { [0xC1, 0x00, 0x80], "-32768" },
        { [0xC2, 0xFF, 0xFF, 0xFF, 0x7F], "2147483647" },
        { [0xC2, 0x00, 0x00, 0x00, 0x80], "-2147483648" },
    };

    [Theory]
    [MemberData(nameof(Decodable))]
    public void Raw_and_integer_strings_read_as_their_bytes(byte[] body, string expected)
    {
        Span<byte> digits = stackalloc byte[RdbStringBody.MaxIntegerDigits];
        Assert.True(RdbStringBody.TryGetValue(body, digits, out ReadOnlySpan<byte> value));
        Assert.Equal(expected, Encoding.ASCII.GetString(value));
    }

    public static TheoryData<byte[]> NotPlain => new()
    {
        // LZF: compressed length 3, plain length 4.
        { [0xC3, 0x03, 0x04, 0x01, 0x61, 0x61] },
        { [] },
        { [0x03, (byte)'a', (byte)'b'] },
        { [0x01, (byte)'a', (byte)'b'] },
        { [0x40] },
        { [0xC1, 0x00] },
        { [0xC4, 0x00] },
    };

    [Theory]
    [MemberData(nameof(NotPlain))]
    public void Compressed_or_malformed_bodies_are_not_read(byte[] body)
    {
        Span<byte> digits = stackalloc byte[RdbStringBody.MaxIntegerDigits];
        Assert.False(RdbStringBody.TryGetValue(body, digits, out _));
    }
}
