using Dcsd.Testing;

namespace Dcsd.Cli.Tests;

public sealed class CredentialsCommandTests
{
    [Fact]
    public async Task Create_prints_a_new_pair_once_and_keeps_only_an_encrypted_secret()
    {
        using var data = new TempDirectory("dcs-cli");
        var (exit, output, _) = await DcsCli.RunAsync("credentials", "create", "--project", "0123456789abcdef0123456789abcdef", "--data", data.Path);
        Assert.Equal(0, exit);
        var fields = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p[1].Trim());
        Assert.Matches("^[A-Z0-9]{20}$", fields["access_key"]);
        Assert.Equal(40, fields["secret_key"].Length);

        byte[] database = await File.ReadAllBytesAsync(Path.Combine(data.Path, "dcsd.db"));
        Assert.DoesNotContain(fields["secret_key"], System.Text.Encoding.UTF8.GetString(database), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data.Path, "secret.key")));

        var (badExit, _, badError) = await DcsCli.RunAsync("credentials", "create", "--project", "no spaces/allowed", "--data", data.Path);
        Assert.Equal(2, badExit);
        Assert.Contains("invalid project id", badError, StringComparison.Ordinal);
    }
}
