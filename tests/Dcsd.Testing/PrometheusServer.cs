using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Dcsd.Testing;

/// <summary>
/// A real Prometheus (Debian's package, the binary run directly) on a free loopback port, scraping one target every second,
/// with its own config and data directory; killed and removed on dispose.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly HttpClient _client;

    private PrometheusServer(Process process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (host:port) at /metrics once a second, and waits until it has scraped it once.</summary>
    public static async Task<PrometheusServer> StartAsync(string target)
    {
        var directory = new TempDirectory("dcsd-prometheus");
        string config = directory.Combine("prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: dcsd
                metrics_path: /metrics
                static_configs:
                  - targets: ['{target}']
            """);
        int port = FreePort();
        var info = new ProcessStartInfo("prometheus") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])[
            "--config.file=" + config,
            "--storage.tsdb.path=" + directory.Combine("data"),
            string.Create(CultureInfo.InvariantCulture, $"--web.listen-address=127.0.0.1:{port}"),
            "--log.level=warn"])
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("prometheus did not start (apt-get install prometheus)");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, port);
        await server.WaitAsync("up{job=\"dcsd\"}", up => up == 1, TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>The value of an instant query that answers one series (NaN when it answers none).</summary>
    public async Task<double> QueryAsync(string promql)
    {
        var values = await QueryAllAsync(promql);
        return values.Count switch
        {
            0 => double.NaN,
            1 => values[0].Value,
            _ => throw new InvalidOperationException($"{promql} answered {values.Count} series"),
        };
    }

    /// <summary>Every series of an instant query through /api/v1/query, with its labels.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAllAsync(string promql)
    {
        using var response = await _client.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        var result = new List<(IReadOnlyDictionary<string, string>, double)>();
        foreach (var series in json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            string value = series.GetProperty("value")[1].GetString()!;
            result.Add((labels, double.Parse(value, CultureInfo.InvariantCulture)));
        }

        return result;
    }

    /// <summary>Polls <paramref name="promql"/> until its value satisfies <paramref name="expected"/> and returns it.</summary>
    public async Task<double> WaitAsync(string promql, Func<double, bool> expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        double value = double.NaN;
        while (true)
        {
            try
            {
                value = await QueryAsync(promql);
                if (expected(value))
                {
                    return value;
                }
            }
            catch (HttpRequestException) when (!_process.HasExited)
            {
                // Not listening yet.
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{promql} is {value.ToString(CultureInfo.InvariantCulture)}{(_process.HasExited ? " (prometheus exited)" : string.Empty)}");
            }

            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Dispose();
    }
}
