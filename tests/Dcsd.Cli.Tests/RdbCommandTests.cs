using System.Text.Json.Nodes;
using Dcsd.Testing;

namespace Dcsd.Cli.Tests;

public sealed class RdbCommandTests
{
    private static string Fixture(string path) => Path.Combine(SharedFiles.RdbFixtures, path);

    [Fact]
    public async Task Verify_passes_a_good_file_with_a_one_line_summary()
    {
        var (exit, output, _) = await DcsCli.RunAsync("rdb", "verify", Fixture("redis-rdb-tools/redis_50_with_streams.rdb"));
        Assert.Equal(0, exit);
        Assert.Single(output.Trim().Split('\n'));
        Assert.Contains("14 keys", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_fails_a_corrupt_file_naming_the_byte_offset()
    {
        var (exit, output, error) = await DcsCli.RunAsync("rdb", "verify", Fixture("redis/corrupt_ziplist.rdb"));
        Assert.Equal(1, exit);
        Assert.Matches("INVALID at byte [0-9]+", output + error);
    }

    [Fact]
    public async Task Inspect_json_has_the_census_fields()
    {
        var (exit, output, _) = await DcsCli.RunAsync("rdb", "inspect", Fixture("redis-rdb-tools/multiple_databases.rdb"), "--json", "--top", "1");
        Assert.Equal(0, exit);
        var census = JsonNode.Parse(output)!;
        Assert.Equal(3, (int)census["rdb_version"]!);
        Assert.Equal([0, 2], census["databases"]!.AsArray().Select(d => (int)d!["db"]!));
        Assert.Single(census["largest"]!.AsArray());
        Assert.NotNull(census["aux"]);
        Assert.NotNull(census["types"]);
    }
}
