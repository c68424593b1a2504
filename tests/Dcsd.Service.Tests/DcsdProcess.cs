using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dcsd.Service.Security;
using Dcsd.Testing;

namespace Dcsd.Service.Tests;

/// <summary>`dcs serve` as a separate process, so tests can stop it with SIGTERM or kill it outright.</summary>
public sealed class DcsdProcess : DcsTestClient, IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    /// <summary>The credential every test dcsd process is started with (through the DCS_BOOTSTRAP_* variables).</summary>
    public static readonly DcsCredential Credential = new(Project, "TESTACCESSKEY0000001", "test-secret-key-for-dcsd-process-tests00");

    private DcsdProcess(Process process, int port)
        : base(new HttpClient(new TestSigningHandler(Credential)) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(1) })
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What the process wrote to stdout, a line each.</summary>
    public IReadOnlyCollection<string> Output => _output;

    public static async Task<DcsdProcess> StartAsync(string dataDirectory, int port = 0, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (port == 0)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        string configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        string dll = Path.Combine(SharedFiles.RepositoryRoot, "src", "Dcsd.Cli", "bin", configuration, "net10.0", "dcs.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])[dll, "serve", "--listen", $"127.0.0.1:{port}", "--data", dataDirectory])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DCS_BOOTSTRAP_PROJECT_ID"] = Credential.ProjectId;
        info.Environment["DCS_BOOTSTRAP_ACCESS_KEY"] = Credential.AccessKey;
        info.Environment["DCS_BOOTSTRAP_SECRET_KEY"] = Credential.SecretKey;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info)!;
        var dcsd = new DcsdProcess(process, port);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                dcsd._output.Enqueue(line.Data);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if ((await dcsd.Client.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return dcsd;
                }
            }
            catch (HttpRequestException)
            {
                Assert.False(process.HasExited, "dcs serve exited at start");
                Assert.True(DateTime.UtcNow < deadline, "dcs serve did not answer /health");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM, as systemd or Ctrl-C would stop it, and wait for a clean exit.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>SIGKILL: no clean-up at all, as a crash or an OOM kill would leave things.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Dispose();
        if (!_process.HasExited)
        {
            await StopAsync();
        }

        _process.Dispose();
    }
}
