using System.Diagnostics;
using Dcsd.Service.Hosting;
using Dcsd.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Tests.Hosting;

public sealed class DcsdSettingsTests
{
    [Theory]
    [InlineData("Dcsd:MaxConcurrentJobs", "0")]
    [InlineData("Dcsd:MaxConcurrentJobsPerKind", "-1")]
    [InlineData("Dcsd:SnapshotIdleTimeout", "00:00:00")]
    [InlineData("Dcsd:MaxConcurrentJobs", "many")]
    [InlineData("Security:MaxBodyBytes", "0")]
    public void A_bad_value_stops_start_up_naming_the_setting(string key, string value)
    {
        using var data = new TempDirectory("dcsd-settings");
        var ex = Assert.Throws<DcsdSettingsException>(() => DcsdHost.Build(
            "http://127.0.0.1:0", new Dictionary<string, string?> { [DcsdSettings.DataDirectoryKey] = data.Path, [key] = value }));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_come_from_appsettings_json_in_the_data_directory_and_the_given_ones_win()
    {
        using var data = new TempDirectory("dcsd-settings");
        await File.WriteAllTextAsync(
            Path.Combine(data.Path, DcsdSettings.SettingsFileName), """{"Dcsd":{"MaxParallelShardSnapshots":7,"MaxConcurrentJobs":5}}""");
        await using var app = DcsdHost.Build(
            "http://127.0.0.1:0", new Dictionary<string, string?> { [DcsdSettings.DataDirectoryKey] = data.Path, ["Dcsd:MaxConcurrentJobs"] = "3" });
        var options = app.Services.GetRequiredService<IOptions<DcsdOptions>>().Value;
        Assert.Equal(7, options.MaxParallelShardSnapshots);
        Assert.Equal(3, options.MaxConcurrentJobs);
        Assert.Equal(data.Path, options.DataDirectory);
    }

    [Fact]
    public async Task Serve_with_a_bad_DCS_environment_variable_exits_with_a_message_naming_it()
    {
        using var data = new TempDirectory("dcsd-settings");
        string configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        string dll = Path.Combine(SharedFiles.RepositoryRoot, "src", "Dcsd.Cli", "bin", configuration, "net10.0", "dcs.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])[dll, "serve", "--listen", "127.0.0.1:0", "--data", data.Path])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DCS_Dcsd__MaxConcurrentJobs"] = "0";
        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string stderr = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Dcsd:MaxConcurrentJobs must be 1 to 64", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
