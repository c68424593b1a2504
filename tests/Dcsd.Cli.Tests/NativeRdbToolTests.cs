using System.CommandLine;
using System.Diagnostics;
using Dcsd.Rdb.Tool;
using Dcsd.Testing;

namespace Dcsd.Cli.Tests;

/// <summary>
/// The Native AOT build of the rdb commands (dcs-rdb, what `./dcs rdb` runs) prints exactly what the same commands
/// print under the JIT, for every fixture: trimming, source-generated JSON and the native code must change nothing.
/// </summary>
public sealed class NativeRdbToolTests
{
    // Published by `./dcs rdb ...` and by test.sh before the tests run.
    private static readonly string NativeTool = Path.Combine(SharedFiles.RepositoryRoot, "src", "Dcsd.Rdb.Tool", "bin", "Release", "native", "dcs-rdb");

    public static TheoryData<string> RdbFixtures() =>
        [.. Directory.EnumerateFiles(SharedFiles.RdbFixtures, "*.rdb", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(SharedFiles.RdbFixtures, path))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(RdbFixtures))]
    public async Task Native_tool_prints_what_the_jit_commands_print(string relativePath)
    {
        Assert.True(File.Exists(NativeTool), $"{NativeTool} is missing: `./dcs rdb --help` or ./test.sh publishes it");
        string file = Path.Combine(SharedFiles.RdbFixtures, relativePath);
        foreach (string[] args in new[] { ["verify", file], ["inspect", file], new[] { "inspect", file, "--json", "--top", "3" } })
        {
            (int ExitCode, string Output, string Error) native = await RunNativeAsync(args);
            Assert.Equal(RunInProcess(args), native);
        }
    }

    [Fact]
    public async Task Native_tool_reports_a_missing_file_and_a_usage_error()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"dcsd-no-such-{Guid.NewGuid():N}.rdb");
        Assert.Equal(RunInProcess(["verify", missing]), await RunNativeAsync(["verify", missing]));
        (int exitCode, _, string error) = await RunNativeAsync(["verify"]);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Required argument missing", error, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output, string Error) RunInProcess(string[] args)
    {
        var root = new RootCommand();
        foreach (Command command in RdbCommand.CreateSubcommands())
        {
            root.Subcommands.Add(command);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunNativeAsync(string[] args)
    {
        var info = new ProcessStartInfo(NativeTool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
