using System.Text;
using Dcsd.Rdb;

namespace Dcsd.Rdb.Tests;

public sealed class Crc64Tests
{
    [Fact]
    public void Matches_the_redis_check_value() =>
        Assert.Equal(0xe9c6d914c4b8d9caUL, Crc64.Compute("123456789"u8));

    [Fact]
    public void Matches_the_redis_lorem_ipsum_vector_with_and_without_its_nul()
    {
        const string li = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna " +
            "aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in " +
            "reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui " +
            "officia deserunt mollit anim id est laborum.";
        byte[] bytes = Encoding.ASCII.GetBytes(li);
        Assert.Equal(0x912d89c65cd3c415UL, Crc64.Compute(bytes));
        Assert.Equal(0xc7794709e69683b3UL, Crc64.Compute([.. bytes, 0]));
    }

    [Fact]
    public void Every_length_and_start_value_matches_the_bitwise_definition()
    {
        // Covers the table path (short inputs), the folding path (128 bytes and up) and every tail length after it.
        var random = new Random(7);
        var data = new byte[2000];
        random.NextBytes(data);
        for (int length = 0; length <= data.Length; length += length < 300 ? 1 : 97)
        {
            ulong start = length % 3 == 0 ? 0 : (ulong)random.NextInt64();
            Assert.Equal(Bitwise(start, data.AsSpan(0, length)), Crc64.Update(start, data.AsSpan(0, length)));
        }
    }

    private static ulong Bitwise(ulong crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x95AC9329AC4BC9B5UL : crc >> 1;
            }
        }

        return crc;
    }

    [Fact]
    public void Incremental_updates_over_any_split_equal_the_one_shot_value()
    {
        var data = new byte[1000];
        new Random(42).NextBytes(data);
        ulong whole = Crc64.Compute(data);
        for (int split = 0; split <= data.Length; split += 37)
        {
            Assert.Equal(whole, Crc64.Update(Crc64.Compute(data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }

    [Fact]
    public void Combine_joins_the_crcs_of_two_parts()
    {
        var random = new Random(9);
        foreach (int total in new[] { 0, 1, 7, 8, 9, 100, 4096, 100_003 })
        {
            var data = new byte[total];
            random.NextBytes(data);
            ulong whole = Crc64.Compute(data);
            foreach (int split in new[] { 0, total / 3, total / 2, total })
            {
                Assert.Equal(whole, Crc64.Combine(Crc64.Compute(data.AsSpan(0, split)), Crc64.Compute(data.AsSpan(split)), total - split));
            }
        }
    }
}
