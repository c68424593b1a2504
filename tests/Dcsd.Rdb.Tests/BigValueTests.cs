namespace Dcsd.Rdb.Tests;

/// <summary>Memory stays flat in value size: gigabyte values are verified and decoded without being held.</summary>
public sealed class BigValueTests
{
    private const long OneGigabyte = 1L << 30;

    private static IEnumerable<ReadOnlyMemory<byte>> BigStringRdb(long size, byte[] block)
    {
        yield return "REDIS0010"u8.ToArray();
        yield return new byte[] { 0xFE, 0x00, 0x00 }; // SELECTDB 0, type string
        yield return GeneratedRdbStream.Str("big");
        yield return GeneratedRdbStream.Length32(size);
        for (long left = size; left > 0; left -= block.Length)
        {
            yield return block.AsMemory(0, (int)Math.Min(block.Length, left));
        }

        yield return new byte[] { 0x00 };
        yield return GeneratedRdbStream.Str("after");
        yield return GeneratedRdbStream.Str("ok");
        yield return new byte[] { 0xFF };
    }

    private static IEnumerable<ReadOnlyMemory<byte>> LongListRdb(int elements)
    {
        yield return "REDIS0009"u8.ToArray();
        yield return new byte[] { 0xFE, 0x03, 0x01 }; // SELECTDB 3, type list (linked list encoding)
        yield return GeneratedRdbStream.Str("long");
        yield return GeneratedRdbStream.Length32(elements);
        // One reused buffer: the stream copies each part out before asking for the next.
        var buffer = new byte[64 * 1024];
        int used = 0;
        for (int i = 0; i < elements; i++)
        {
            if (used > buffer.Length - 64)
            {
                yield return buffer.AsMemory(0, used);
                used = 0;
            }

            int lengthAt = used++;
            "element-"u8.CopyTo(buffer.AsSpan(used));
            used += 8;
            System.Buffers.Text.Utf8Formatter.TryFormat(i, buffer.AsSpan(used), out int digits);
            used += digits;
            buffer[lengthAt] = (byte)(8 + digits);
        }

        buffer[used++] = 0xFF;
        yield return buffer.AsMemory(0, used);
    }

    [Fact]
    public void Verifying_a_one_gigabyte_value_does_not_hold_it()
    {
        var block = new byte[1 << 20];
        new Random(1).NextBytes(block);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RdbCensus census = RdbVerifier.Verify(new GeneratedRdbStream(BigStringRdb(OneGigabyte, block)));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2, census.TotalKeys);
        Assert.True(census.ChecksumVerified);
        Assert.Equal("big", census.Largest[0].Key);
        Assert.True(census.Largest[0].Size > OneGigabyte);
        Assert.True(allocated < 8 << 20, $"verification allocated {allocated} bytes");
    }

    [Fact]
    public async Task Verification_of_a_huge_value_can_be_cancelled_midway()
    {
        var block = new byte[1 << 20];
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RdbVerifier.VerifyAsync(new GeneratedRdbStream(BigStringRdb(64 * OneGigabyte, block)), null, cancellation.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Decoding_a_big_string_streams_it_in_bounded_pieces()
    {
        long size = 128L << 20;
        var block = new byte[1 << 20];
        new Random(2).NextBytes(block);
        using var reader = new RdbReader(new GeneratedRdbStream(BigStringRdb(size, block)), new RdbReaderOptions { ChunkMaxBytes = 256 * 1024 });
        RdbEntry entry = reader.Read()!;
        RdbValue value = entry.ReadValue(dumpThreshold: 1 << 20);
        Assert.Null(value.DumpPayload);
        long expectedOffset = 0;
        long peakHeap = 0;
        foreach (RdbValueChunk chunk in value.Chunks!)
        {
            var piece = Assert.IsType<RdbStringChunk>(chunk);
            Assert.Equal(expectedOffset, piece.Offset);
            Assert.Equal(size, piece.TotalLength);
            Assert.True(piece.Data.Length <= 256 * 1024);
            Assert.True(piece.Data.Span.SequenceEqual(block.AsSpan((int)(piece.Offset % block.Length), piece.Data.Length)));
            expectedOffset += piece.Data.Length;
            if (expectedOffset % (32 << 20) == 0)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: true));
            }
        }

        Assert.Equal(size, expectedOffset);
        Assert.True(peakHeap < 64 << 20, $"heap reached {peakHeap} bytes while streaming");
        Assert.Equal("after"u8.ToArray(), reader.Read()!.Key);
        Assert.Null(reader.Read());
        Assert.True(reader.ChecksumVerified);
    }

    [Fact]
    public void A_list_of_millions_of_elements_is_verified_and_decoded_in_chunks()
    {
        const int elements = 2_000_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        RdbCensus census = RdbVerifier.Verify(new GeneratedRdbStream(LongListRdb(elements)));
        long verifyAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(3, census.Databases[0].Db);
        Assert.Equal(1, census.Types["list"]);

        Assert.True(verifyAllocated < 8 << 20, $"verification allocated {verifyAllocated} bytes");

        using var reader = new RdbReader(new GeneratedRdbStream(LongListRdb(elements)), new RdbReaderOptions { ChunkMaxItems = 1000 });
        RdbEntry entry = reader.Read()!;
        int seen = 0;
        foreach (RdbValueChunk chunk in entry.ReadValue(dumpThreshold: 4096).Chunks!)
        {
            var list = Assert.IsType<RdbListChunk>(chunk);
            Assert.InRange(list.Items.Count, 1, 1000);
            Assert.Equal("element-" + seen, System.Text.Encoding.ASCII.GetString(list.Items[0]));
            seen += list.Items.Count;
        }

        Assert.Equal(elements, seen);
        Assert.Null(reader.Read());
        Assert.True(reader.ChecksumVerified);
    }
}
