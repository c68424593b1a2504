using System.Text;
using Dcsd.Testing;

namespace Dcsd.Rdb.Tests;

/// <summary>Expected contents quoted in the fixture README (from the Redis Tcl tests and redis-rdb-tools' parser tests).</summary>
public sealed class KnownContentTests
{
    private static string F(string relative) => Path.Combine(SharedFiles.RdbFixtures, relative);

    private static Dictionary<string, (RdbEntry Entry, List<RdbValueChunk> Chunks)> ReadAll(string relative, out RdbReader reader)
    {
        reader = new RdbReader(File.OpenRead(F(relative)));
        var keys = new Dictionary<string, (RdbEntry, List<RdbValueChunk>)>(StringComparer.Ordinal);
        while (reader.Read() is { } entry)
        {
            keys[Encoding.UTF8.GetString(entry.Key)] = (entry, [.. entry.ReadChunks()]);
        }

        return keys;
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static string StringValue(List<RdbValueChunk> chunks) => string.Concat(chunks.Cast<RdbStringChunk>().Select(c => Encoding.UTF8.GetString(c.Data.Span)));

    private static List<string> ListValue(List<RdbValueChunk> chunks) => [.. chunks.Cast<RdbListChunk>().SelectMany(c => c.Items).Select(Text)];

    private static List<string> SetValue(List<RdbValueChunk> chunks) => [.. chunks.Cast<RdbSetChunk>().SelectMany(c => c.Members).Select(Text).Order(StringComparer.Ordinal)];

    private static Dictionary<string, string> HashValue(List<RdbValueChunk> chunks) =>
        chunks.Cast<RdbHashChunk>().SelectMany(c => c.Fields).ToDictionary(f => Text(f.Field), f => Text(f.Value));

    private static Dictionary<string, double> ZsetValue(List<RdbValueChunk> chunks) =>
        chunks.Cast<RdbSortedSetChunk>().SelectMany(c => c.Members).ToDictionary(m => Text(m.Member), m => m.Score);

    [Fact]
    public void Redis_encodings_rdb_matches_the_tcl_csvdump()
    {
        var keys = ReadAll("redis/encodings.rdb", out RdbReader reader);
        using (reader)
        {
            string[] listItems = ["1", "2", "3", "a", "b", "c", "100000", "6000000000"];
            Assert.Equal(13, keys.Count);
            Assert.Equal(new string('a', 137), StringValue(keys["compressible"].Chunks));
            Assert.Equal("Hello World", StringValue(keys["string"].Chunks));
            Assert.Equal("10", StringValue(keys["number"].Chunks));
            Assert.Equal([.. listItems, .. listItems, .. listItems], ListValue(keys["list"].Chunks));
            Assert.Equal(listItems, ListValue(keys["list_zipped"].Chunks));
            Assert.Equal(listItems.Order(StringComparer.Ordinal), SetValue(keys["set"].Chunks));
            Assert.Equal(["1", "2", "3", "4"], SetValue(keys["set_zipped_1"].Chunks));
            Assert.Equal(["100000", "200000", "300000", "400000"], SetValue(keys["set_zipped_2"].Chunks));
            Assert.Equal(["1000000000", "2000000000", "3000000000", "4000000000", "5000000000", "6000000000"], SetValue(keys["set_zipped_3"].Chunks));
            Assert.Equal(
                new Dictionary<string, string> { ["a"] = "1", ["aa"] = "10", ["aaa"] = "100", ["b"] = "2", ["bb"] = "20", ["bbb"] = "200", ["c"] = "3", ["cc"] = "30", ["ccc"] = "300", ["ddd"] = "400", ["eee"] = "5000000000" },
                HashValue(keys["hash"].Chunks));
            Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "3" }, HashValue(keys["hash_zipped"].Chunks));
            Assert.Equal(
                new Dictionary<string, double> { ["a"] = 1, ["b"] = 2, ["c"] = 3, ["aa"] = 10, ["bb"] = 20, ["cc"] = 30, ["aaa"] = 100, ["bbb"] = 200, ["ccc"] = 300, ["aaaa"] = 1000, ["cccc"] = 123456789, ["bbbb"] = 5000000000 },
                ZsetValue(keys["zset"].Chunks));
            Assert.Equal(new Dictionary<string, double> { ["a"] = 1, ["b"] = 2, ["c"] = 3 }, ZsetValue(keys["zset_zipped"].Chunks));
            Assert.False(reader.ChecksumVerified); // RDB 4: no trailer
        }
    }

    [Theory]
    [InlineData("redis/hash-zipmap.rdb", RdbObjectType.HashZipmap)]
    [InlineData("redis/hash-ziplist.rdb", RdbObjectType.HashZiplist)]
    public void Old_hash_encodings_decode(string file, RdbObjectType type)
    {
        var keys = ReadAll(file, out RdbReader reader);
        using (reader)
        {
            Assert.Equal(type, keys["hash"].Entry.Type);
            Assert.Equal(new Dictionary<string, string> { ["f1"] = "v1", ["f2"] = "v2" }, HashValue(keys["hash"].Chunks));
        }
    }

    [Fact]
    public void Small_redis_assets_decode()
    {
        var list = ReadAll("redis/list-quicklist.rdb", out RdbReader r1);
        r1.Dispose();
        Assert.Equal(["7"], ListValue(list["list"].Chunks));
        Assert.Equal("7", StringValue(list["x"].Chunks));
        var zset = ReadAll("redis/zset-ziplist.rdb", out RdbReader r2);
        r2.Dispose();
        Assert.Equal(new Dictionary<string, double> { ["one"] = 1, ["two"] = 2 }, ZsetValue(zset["zset"].Chunks));
    }

    [Fact]
    public async Task Script_backup_preamble_and_empty_keys_are_reported()
    {
        RdbCensus script = await RdbVerifier.VerifyAsync(File.OpenRead(F("redis/scriptbackup.rdb")));
        Assert.Equal("return redis.call('set', 'foo', 'bar')", script.Aux["lua"]);
        Assert.Equal(0, script.TotalKeys);

        RdbCensus preamble = await RdbVerifier.VerifyAsync(File.OpenRead(F("redis/rdb-preamble.aof")));
        Assert.Equal(52, preamble.TrailingBytes);
        Assert.Equal(2, preamble.TotalKeys);

        RdbCensus empty = await RdbVerifier.VerifyAsync(File.OpenRead(F("redis/corrupt_empty_keys.rdb")));
        Assert.Equal(9, empty.Databases.Single().Keys);
        Assert.Equal(9, empty.Databases.Single().EmptyKeys);
    }

    [Fact]
    public async Task Modules_are_named_and_skipped()
    {
        RdbCensus module = await RdbVerifier.VerifyAsync(File.OpenRead(F("redis-rdb-tools/redis_40_with_module.rdb")));
        Assert.Equal(["ReJSON-RL"], module.Modules);
        Assert.False(module.ChecksumVerified); // stored CRC is 0: disabled
        Assert.Equal("0000000000000000", module.Checksum);
        Assert.Equal(40, module.TrailingBytes); // the diskless EOF marker an old redis-cli kept

        RdbCensus aux = await RdbVerifier.VerifyAsync(File.OpenRead(F("redis-rdb-tools/redis_60_with_module_aux.rdb")));
        Assert.Equal(["test__rdb"], aux.Modules);

        using var reader = new RdbReader(File.OpenRead(F("redis-rdb-tools/redis_40_with_module.rdb")));
        while (reader.Read() is { } entry)
        {
            if (entry.Kind == RdbKind.Module)
            {
                var chunk = Assert.IsType<RdbModuleChunk>(Assert.Single(entry.ReadChunks()));
                Assert.Equal("ReJSON-RL", chunk.ModuleName);
                Assert.Throws<NotSupportedException>(() => RdbCommandRenderer.Render(entry.Key, [chunk]).ToList());
            }
        }
    }

    [Fact]
    public void Expiry_idle_and_frequency_are_exposed()
    {
        var expiry = ReadAll("redis-rdb-tools/keys_with_expiry.rdb", out RdbReader r1);
        r1.Dispose();
        Assert.Equal(new DateTimeOffset(2022, 12, 25, 10, 11, 12, 573, TimeSpan.Zero).ToUnixTimeMilliseconds(), expiry["expires_ms_precision"].Entry.ExpiresAtMs);

        var lfu = ReadAll("librdb/mem_policy_lfu.rdb", out RdbReader r2);
        r2.Dispose();
        Assert.NotNull(Assert.Single(lfu.Values).Entry.Frequency);
        var lru = ReadAll("librdb/mem_policy_lru.rdb", out RdbReader r3);
        r3.Dispose();
        Assert.NotNull(Assert.Single(lru.Values).Entry.IdleSeconds);
    }

    [Fact]
    public void Valkey_hash2_and_redis_74_field_ttls_decode()
    {
        var valkey = ReadAll("HDT3213-rdb/valkey_hash2_with_hfe.rdb", out RdbReader r1);
        Assert.True(r1.IsValkey);
        r1.Dispose();
        var fields = Assert.Single(valkey.Values).Chunks.Cast<RdbHashChunk>().SelectMany(c => c.Fields).ToDictionary(f => Text(f.Field), f => f.ExpiresAtMs);
        Assert.Equal(2715785640000, fields["F1"]);
        Assert.Equal(2400425640000, fields["F2"]);
        Assert.Null(fields["F3"]);

        var listpackEx = ReadAll("catcherwong-rdb-tools/redis74_hash_ttl_listpack_ex.rdb", out RdbReader r2);
        r2.Dispose();
        Assert.Equal(new Dictionary<string, string> { ["f1"] = "v1", ["f2"] = "v2" }, HashValue(listpackEx["mykey"].Chunks));
    }

    [Fact]
    public void Dump_payload_matches_the_published_vectors()
    {
        // "SET mykey 10" on 7.0, redis.io: 00 c0 0a | 0a 00 | 6e 9f 57 45 0e ae 63 bb
        Assert.Equal(Convert.FromHexString("00C00A0A006E9F57450EAE63BB"), DumpPayload.Create(RdbObjectType.String, [0xC0, 0x0A], 10));
        Assert.Equal(Convert.FromHexString("00C00A0900BE6D06895A28000A"), DumpPayload.Create(RdbObjectType.String, [0xC0, 0x0A], 9));
        Assert.Equal(Convert.FromHexString("00C00A0C00A5E96385F484FDF2"), DumpPayload.Create(RdbObjectType.String, [0xC0, 0x0A], 12));
    }

    [Fact]
    public async Task Newer_versions_are_refused_by_name()
    {
        var error = await Assert.ThrowsAsync<RdbFormatException>(() => RdbVerifier.VerifyAsync(new MemoryStream("REDIS0013\xff"u8.ToArray())));
        Assert.Contains("RDB version 13 is newer", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, error.Offset);
    }
}
