using System.Text.Json;
using System.Text.Json.Nodes;
using Dcsd.Testing;

namespace Dcsd.Rdb.Tests;

public sealed class CensusJsonTests
{
    [Fact]
    public async Task Census_serializes_in_snake_case_and_round_trips()
    {
        await using FileStream file = File.OpenRead(Path.Combine(SharedFiles.RdbFixtures, "librdb/misc_with_stream.rdb"));
        RdbCensus census = await RdbVerifier.VerifyAsync(file, new RdbVerifyOptions { LargestKeys = 3 });
        string json = JsonSerializer.Serialize(census);
        JsonObject parsed = JsonNode.Parse(json)!.AsObject();
        foreach (string name in new[] { "rdb_version", "aux", "databases", "types", "largest", "checksum_verified", "total_keys", "functions", "modules", "bytes" })
        {
            Assert.True(parsed.ContainsKey(name), name);
        }

        Assert.Equal(9, (int)parsed["rdb_version"]!);
        Assert.Equal("6.2.13", (string?)parsed["aux"]!["redis-ver"]);
        JsonObject db = parsed["databases"]![0]!.AsObject();
        Assert.Equal(0, (int)db["db"]!);
        Assert.Equal(12, (int)db["keys"]!);
        Assert.Equal(1, (int)db["expires"]!);
        Assert.Equal(3, parsed["largest"]!.AsArray().Count);
        Assert.All(parsed["largest"]!.AsArray(), k => Assert.True(k!["db"] is not null && k["key"] is not null && k["type"] is not null && k["size"] is not null));

        RdbCensus back = JsonSerializer.Deserialize<RdbCensus>(json)!;
        Assert.Equal(json, JsonSerializer.Serialize(back));
    }
}
