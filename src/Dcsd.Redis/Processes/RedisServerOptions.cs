namespace Dcsd.Redis.Processes;

/// <summary>How to start one redis-server process. It always binds to 127.0.0.1.</summary>
public sealed class RedisServerOptions
{
    /// <summary>The redis-server binary. Defaults to DCS_REDIS_SERVER, else redis-server on PATH.</summary>
    public string ServerPath { get; init; } = DefaultServerPath();

    /// <summary>Working directory of the process: its config, log and RDB files live here.</summary>
    public required string Directory { get; init; }

    /// <summary>The port to listen on; 0 picks a free loopback port.</summary>
    public int Port { get; init; }

    /// <summary>requirepass and masterauth; null leaves the server without a password.</summary>
    public string? Password { get; init; }

    /// <summary>Extra redis.conf lines, e.g. "replicaof 127.0.0.1 6379" or "cluster-enabled yes".</summary>
    public IReadOnlyList<string> ConfigLines { get; init; } = [];

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public static string DefaultServerPath() =>
        Environment.GetEnvironmentVariable("DCS_REDIS_SERVER") is { Length: > 0 } path ? path : "redis-server";
}
