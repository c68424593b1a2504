using Dcsd.Testing;

namespace Dcsd.Cli.Tests;

public sealed class ServeCommandTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public async Task A_cluster_write_pause_that_is_not_positive_is_refused_before_anything_starts(string milliseconds)
    {
        using var data = new TempDirectory("dcs-cli");
        string directory = Path.Combine(data.Path, "data");
        var (exit, _, error) = await DcsCli.RunAsync("serve", "--listen", "127.0.0.1:0", "--data", directory, "--cluster-write-pause-ms", milliseconds);
        Assert.NotEqual(0, exit);
        Assert.Contains("--cluster-write-pause-ms must be a positive number of milliseconds", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
    }
}
