using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Processes;

/// <summary>
/// One redis-server process bound to 127.0.0.1, configured through a redis.conf in its own directory.
/// Used by the local instance provider and by the tests.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string? _password;

    private RedisServerProcess(Process process, int port, string directory, string? password)
    {
        _process = process;
        Port = port;
        Directory = directory;
        _password = password;
    }

    public static string Host => "127.0.0.1";

    public int Port { get; }

    public string Directory { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string EndPoint => Host + ":" + Port.ToString(CultureInfo.InvariantCulture);

    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Starts redis-server and returns once it answers PING. A taken port is retried with another.</summary>
    public static async Task<RedisServerProcess> StartAsync(RedisServerOptions options, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(options.Directory);
        const int attempts = 5;
        for (int attempt = 1; ; attempt++)
        {
            int port = options.Port != 0 ? options.Port : FreeLoopbackPort();
            try
            {
                return await StartOnPortAsync(options, port, cancellationToken).ConfigureAwait(false);
            }
            catch (RedisServerStartException) when (options.Port == 0 && attempt < attempts)
            {
                // Another process took the port between our probe and redis-server's bind; try a fresh one.
            }
        }
    }

    private static async Task<RedisServerProcess> StartOnPortAsync(RedisServerOptions options, int port, CancellationToken cancellationToken)
    {
        string configPath = Path.Combine(options.Directory, "redis.conf");
        await File.WriteAllTextAsync(configPath, BuildConfig(options, port), cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(configPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var startInfo = new ProcessStartInfo(options.ServerPath)
        {
            WorkingDirectory = options.Directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(configPath);

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new RedisServerStartException($"could not start {options.ServerPath}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"redis-server not found at '{options.ServerPath}': install it (apt-get install redis-server) or set DCS_REDIS_SERVER", ex);
        }

        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new RedisServerProcess(process, port, options.Directory, options.Password);
        var deadline = DateTime.UtcNow + options.StartTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                string log = ReadTail(Path.Combine(options.Directory, "redis.log"));
                string text;
                lock (output)
                {
                    text = output.ToString();
                }

                int exitCode = process.ExitCode;
                process.Dispose();
                throw new RedisServerStartException($"redis-server on port {port} exited with code {exitCode}: {text}{log}".Trim());
            }

            if (await server.PingAsync(cancellationToken).ConfigureAwait(false))
            {
                return server;
            }

            if (DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw new RedisServerStartException($"redis-server on port {port} did not answer PING within {options.StartTimeout}");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string BuildConfig(RedisServerOptions options, int port)
    {
        var config = new StringBuilder();
        config.AppendLine("bind 127.0.0.1");
        config.AppendLine(CultureInfo.InvariantCulture, $"port {port}");
        config.AppendLine("protected-mode yes");
        config.AppendLine("daemonize no");
        config.AppendLine(CultureInfo.InvariantCulture, $"dir {Quote(options.Directory)}");
        config.AppendLine("logfile redis.log");
        config.AppendLine("dbfilename dump.rdb");
        config.AppendLine("save \"\"");
        config.AppendLine("appendonly no");
        if (options.Password is not null)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"requirepass {Quote(options.Password)}");
            config.AppendLine(CultureInfo.InvariantCulture, $"masterauth {Quote(options.Password)}");
        }

        foreach (string line in options.ConfigLines)
        {
            config.AppendLine(line);
        }

        return config.ToString();
    }

    /// <summary>redis.conf string quoting: double quotes with backslash escapes.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// A free loopback port at most 55535: a cluster node also listens on its port + 10000 (the cluster bus), which must
    /// be a valid port too.
    /// </summary>
    private static int FreeLoopbackPort()
    {
        const int MaxPortWithBus = 65535 - 10000;
        const int Attempts = 100;
        int port = 0;
        for (int attempt = 0; attempt < Attempts && (port == 0 || port > MaxPortWithBus); attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        // A machine whose ephemeral range lies wholly above the limit still gets a port; only cluster nodes would mind.
        return port;
    }

    private static string ReadTail(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return string.Join('\n', lines.TakeLast(5));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>True when the server answers PING with PONG (after AUTH when it has a password).</summary>
    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => RedisInlineClient.PingAsync(Port, _password, cancellationToken);

    /// <summary>Stops the server with SHUTDOWN NOSAVE, killing it if it does not go within five seconds.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            await RedisInlineClient.ShutdownAsync(Port, _password, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisFailureException)
        {
            // The server may close the connection before answering; the wait below settles it.
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _process.Kill();
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Kills the process without letting it clean up, as a crash would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _process.Dispose();
        }
    }
}

public sealed class RedisServerStartException(string message) : Exception(message);
