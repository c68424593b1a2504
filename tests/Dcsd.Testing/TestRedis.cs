using Dcsd.Redis.Processes;
using StackExchange.Redis;

namespace Dcsd.Testing;

/// <summary>A real redis-server on a free loopback port in its own temp directory, for one test or fixture.</summary>
public sealed class TestRedis : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private ConnectionMultiplexer? _connection;

    private TestRedis(TempDirectory directory, RedisServerProcess server, string? password)
    {
        _directory = directory;
        Server = server;
        Password = password;
    }

    public RedisServerProcess Server { get; }

    public string? Password { get; }

    public int Port => Server.Port;

    public string EndPoint => Server.EndPoint;

    public static async Task<TestRedis> StartAsync(string? password = null, IReadOnlyList<string>? configLines = null, CancellationToken cancellationToken = default)
    {
        var directory = new TempDirectory("dcsd-redis");
        var server = await RedisServerProcess.StartAsync(
            new RedisServerOptions
            {
                Directory = directory.Path,
                Password = password,
                ConfigLines = ["enable-debug-command yes", .. configLines ?? []],
            },
            cancellationToken);
        return new TestRedis(directory, server, password);
    }

    /// <summary>Starts a throwaway redis-server that loads <paramref name="rdbPath"/> at start-up.</summary>
    public static async Task<TestRedis> StartFromRdbAsync(string rdbPath, CancellationToken cancellationToken = default)
    {
        var directory = new TempDirectory("dcsd-redis");
        File.Copy(rdbPath, Path.Combine(directory.Path, "dump.rdb"));
        var server = await RedisServerProcess.StartAsync(
            new RedisServerOptions { Directory = directory.Path, StartTimeout = TimeSpan.FromMinutes(2) },
            cancellationToken);
        return new TestRedis(directory, server, null);
    }

    /// <summary>Starts a replica of <paramref name="master"/> and waits until its link is up.</summary>
    public static async Task<TestRedis> StartReplicaAsync(TestRedis master, CancellationToken cancellationToken = default)
    {
        var replica = await StartAsync(master.Password, [$"replicaof 127.0.0.1 {master.Port}"], cancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await replica.Connection.GetServer(replica.EndPoint).InfoRawAsync("replication") ?? string.Empty).Contains("master_link_status:up", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("replica did not sync");
            }

            await Task.Delay(50, cancellationToken);
        }

        return replica;
    }

    public ConnectionMultiplexer Connection => _connection ??= ConnectionMultiplexer.Connect(new ConfigurationOptions
    {
        EndPoints = { EndPoint },
        Password = Password,
        AllowAdmin = true,
        ConnectTimeout = 5000,
        SyncTimeout = 30000,
        AsyncTimeout = 30000,
    });

    public IDatabase Db(int db = 0) => Connection.GetDatabase(db);

    public IServer Admin => Connection.GetServer(EndPoint);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        await Server.DisposeAsync();
        _directory.Dispose();
    }
}
