using System.Collections.Concurrent;
using Dcsd.Service.Persistence;
using StackExchange.Redis;

namespace Dcsd.Service.Instances;

/// <summary>
/// Admin connections to instance nodes, one long-lived multiplexer per node (as StackExchange.Redis intends them to be
/// used): a backup asks several nodes for INFO, and a fresh handshake each time would cost more than the question.
/// </summary>
internal sealed class RedisAdmin : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Host, int Port, string? Password), Lazy<Task<ConnectionMultiplexer>>> _connections = new();

    public async Task<IServer> ServerAsync(InstanceRecord instance, NodeRecord node, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var key = (node.Host, node.Port, instance.Password);
        var lazy = _connections.GetOrAdd(key, k => new Lazy<Task<ConnectionMultiplexer>>(() => ConnectAsync(k.Host, k.Port, k.Password)));
        try
        {
            var connection = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            return connection.GetServer(node.Host, node.Port);
        }
        catch (RedisConnectionException)
        {
            // Forget a failed first connect so the next call tries again; an established multiplexer reconnects by itself.
            _connections.TryRemove(new KeyValuePair<(string, int, string?), Lazy<Task<ConnectionMultiplexer>>>(key, lazy));
            throw;
        }
    }

    public async Task<string> InfoAsync(InstanceRecord instance, NodeRecord node, string section, CancellationToken cancellationToken)
    {
        var server = await ServerAsync(instance, node, cancellationToken).ConfigureAwait(false);
        return await server.InfoRawAsync(section).WaitAsync(cancellationToken).ConfigureAwait(false) ?? string.Empty;
    }

    /// <summary>Closes the connections to an instance's nodes (it was deleted, or its nodes moved).</summary>
    public async Task ForgetAsync(InstanceRecord instance)
    {
        foreach (var node in instance.Nodes)
        {
            if (_connections.TryRemove((node.Host, node.Port, instance.Password), out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                await lazy.Value.Result.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(string host, int port, string? password) =>
        await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { host, port } },
            Password = password,
            AllowAdmin = true,
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
            SyncTimeout = 10000,
            AsyncTimeout = 10000,
            ClientName = "dcsd",
        }).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        foreach (var lazy in _connections.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                await lazy.Value.Result.DisposeAsync().ConfigureAwait(false);
            }
        }

        _connections.Clear();
    }
}
