using System.Diagnostics;
using Dcsd.Testing;

namespace Dcsd.Cli.Tests;

/// <summary>Runs the built `dcs` program and captures what it prints.</summary>
internal static class DcsCli
{
    /// <summary>The variables a client command reads; a test's own values replace whatever the test process has.</summary>
    private static readonly string[] ClientVariables = ["DCS_ENDPOINT", "DCS_PROJECT_ID", "DCS_ACCESS_KEY", "DCS_SECRET_KEY", "DCS_PROFILE_FILE", "DCS_INSTANCE_PASSWORD", "DCS_TARGET_PASSWORD"];

    public static string DllPath
    {
        get
        {
            string configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
            return Path.Combine(SharedFiles.RepositoryRoot, "src", "Dcsd.Cli", "bin", configuration, "net10.0", "dcs.dll");
        }
    }

    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), null, args);

    /// <summary>Runs `dcs` with exactly the given client variables (the others removed) and <paramref name="input"/> on stdin.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, string? input, params string[] args)
    {
        var info = Start(args);
        info.RedirectStandardInput = true;
        foreach (string name in ClientVariables)
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>How to start `dcs ARGS` (stdout and stderr redirected), for a caller that keeps the process running.</summary>
    public static ProcessStartInfo Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(DllPath);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }
}
