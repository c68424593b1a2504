using System.Buffers.Binary;
using System.Text;
using Dcsd.Testing;

namespace Dcsd.Rdb.Tests;

/// <summary>Quicklist 2 with a PLAIN node (one raw element, as Redis 7+ writes for huge elements) next to a PACKED listpack node.</summary>
public sealed class QuicklistPlainNodeTests
{
    private static byte[] Listpack(params string[] items)
    {
        var body = new List<byte>();
        foreach (string item in items)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(item);
            body.Add((byte)(0x80 | bytes.Length)); // 6-bit string
            body.AddRange(bytes);
            body.Add((byte)(1 + bytes.Length));    // back-length
        }

        var listpack = new byte[6 + body.Count + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(listpack, (uint)listpack.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(listpack.AsSpan(4), (ushort)items.Length);
        body.CopyTo(listpack, 6);
        listpack[^1] = 0xFF;
        return listpack;
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Rdb()
    {
        byte[] packed = Listpack("a", "bb", "ccc");
        yield return "REDIS0010"u8.ToArray();
        yield return new byte[] { 0xFE, 0x00, (byte)RdbObjectType.ListQuicklist2 };
        yield return GeneratedRdbStream.Str("ql");
        yield return new byte[] { 0x02, 0x01 }; // 2 nodes; node 1 is PLAIN
        yield return GeneratedRdbStream.Str("a plain element");
        yield return new byte[] { 0x02, (byte)packed.Length }; // node 2 is PACKED
        yield return packed;
        yield return new byte[] { 0xFF };
    }

    private static byte[] File() => new GeneratedRdbStream(Rdb()).ToArrayForTest();

    [Fact]
    public async Task Plain_and_packed_nodes_decode_verify_and_restore()
    {
        byte[] file = File();
        RdbCensus census = await RdbVerifier.VerifyAsync(new MemoryStream(file));
        Assert.Equal(1, census.Encodings["list/quicklist2"]);
        Assert.True(census.ChecksumVerified);

        using var reader = new RdbReader(new MemoryStream(file));
        RdbEntry entry = reader.Read()!;
        Assert.Equal(["a plain element", "a", "bb", "ccc"], entry.ReadChunks().Cast<RdbListChunk>().SelectMany(c => c.Items).Select(Encoding.ASCII.GetString));

        using var again = new RdbReader(new MemoryStream(file));
        byte[] payload = again.Read()!.ReadDumpPayload();
        await using TestRedis redis = await TestRedis.StartAsync();
        await redis.Db().ExecuteAsync("RESTORE", "ql", 0, payload);
        Assert.Equal(["a plain element", "a", "bb", "ccc"], (await redis.Db().ListRangeAsync("ql")).Select(v => (string)v!));
    }
}

internal static class StreamTestExtensions
{
    public static byte[] ToArrayForTest(this Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
