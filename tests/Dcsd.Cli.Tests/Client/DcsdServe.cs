using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dcsd.Testing;

namespace Dcsd.Cli.Tests.Client;

/// <summary>
/// A real dcsd for the client commands: `dcs serve` on a free loopback port with its own data directory, started with a
/// bootstrap credential, and the environment that points `dcs` at it.
/// </summary>
public sealed class DcsdServe : IAsyncLifetime
{
    public const string Project = "0123456789abcdef0123456789abcdef";
    public const string AccessKey = "CLITESTACCESSKEY0001";
    public const string SecretKey = "cli-test-secret-key-0123456789abcdefghij";

    private readonly TempDirectory _directory = new("dcs-client");
    private Process? _process;

    public string Endpoint { get; private set; } = "";

    public string DataDirectory => _directory.Combine("data");

    /// <summary>All four variables set: a client command needs no profile file.</summary>
    public Dictionary<string, string> Environment(string? secretKey = null) => new()
    {
        ["DCS_ENDPOINT"] = Endpoint,
        ["DCS_PROJECT_ID"] = Project,
        ["DCS_ACCESS_KEY"] = AccessKey,
        ["DCS_SECRET_KEY"] = secretKey ?? SecretKey,
        ["DCS_PROFILE_FILE"] = _directory.Combine("no-profile.json"),
    };

    /// <summary>Runs `dcs ARGS` against this dcsd.</summary>
    public Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => DcsCli.RunAsync(Environment(), null, args);

    public string NewProfilePath() => _directory.Combine($"profile-{Guid.NewGuid():N}", "profile.json");

    public async Task InitializeAsync()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        Endpoint = $"http://127.0.0.1:{port}";
        var info = DcsCli.Start("serve", "--listen", $"127.0.0.1:{port}", "--data", DataDirectory);
        info.Environment["DCS_BOOTSTRAP_PROJECT_ID"] = Project;
        info.Environment["DCS_BOOTSTRAP_ACCESS_KEY"] = AccessKey;
        info.Environment["DCS_BOOTSTRAP_SECRET_KEY"] = SecretKey;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri(Endpoint) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (!_process.HasExited && DateTime.UtcNow < deadline)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process?.Dispose();
        _directory.Dispose();
    }
}
