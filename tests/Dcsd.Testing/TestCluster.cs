using Dcsd.Redis.Cluster;
using StackExchange.Redis;

namespace Dcsd.Testing;

/// <summary>A <see cref="LocalCluster"/> in a temp directory, with a cluster-aware StackExchange.Redis connection.</summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private ConnectionMultiplexer? _connection;

    private TestCluster(TempDirectory directory, LocalCluster cluster)
    {
        _directory = directory;
        Cluster = cluster;
    }

    public LocalCluster Cluster { get; }

    public string? Password => Cluster.Password;

    public static async Task<TestCluster> StartAsync(int shards, int replicasPerShard, string? password = null, IReadOnlyList<string>? configLines = null, CancellationToken cancellationToken = default)
    {
        var directory = new TempDirectory("dcsd-cluster");
        try
        {
            var cluster = await LocalCluster.CreateAsync(shards, replicasPerShard, directory.Path, password, configLines ?? [], cancellationToken);
            return new TestCluster(directory, cluster);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Routes every key to its slot's master, as an application would.</summary>
    public ConnectionMultiplexer Connection => _connection ??= ConnectionMultiplexer.Connect(Options());

    public ConfigurationOptions Options()
    {
        var options = new ConfigurationOptions
        {
            Password = Password,
            AllowAdmin = true,
            ConnectTimeout = 5000,
            SyncTimeout = 30000,
            AsyncTimeout = 30000,
        };
        foreach ((string host, int port) in Cluster.EndPoints)
        {
            options.EndPoints.Add(host, port);
        }

        return options;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        _directory.Dispose();
    }
}
