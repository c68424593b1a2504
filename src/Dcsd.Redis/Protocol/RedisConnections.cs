using System.Collections.Concurrent;

namespace Dcsd.Redis.Protocol;

/// <summary>
/// The control plane's one connection factory: a long-lived <see cref="RedisNodeClient"/> per node and password, since a
/// backup asks several nodes for INFO and a fresh handshake each time would cost more than the question. A connection
/// that failed (lost, timed out) is dropped and the next call connects again.
/// </summary>
public sealed class RedisConnections : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Host, int Port, string? Password), Lazy<Task<RedisNodeClient>>> _connections = new();

    /// <summary>INFO <paramref name="section"/> of host:port.</summary>
    public async Task<InfoSection> InfoAsync(string host, int port, string? password, string section, CancellationToken cancellationToken)
    {
        var key = (host, port, password);
        var lazy = _connections.GetOrAdd(key, k => new Lazy<Task<RedisNodeClient>>(() => RedisNodeClient.ConnectAsync(new RedisNodeAddress(k.Host, k.Port, k.Password), CancellationToken.None)));
        try
        {
            RedisNodeClient client = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            return await client.InfoAsync(section, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisFailureException or OperationCanceledException)
        {
            // A failed or interrupted call leaves the connection in an unknown state: forget it, the next call connects again.
            if (_connections.TryRemove(new KeyValuePair<(string, int, string?), Lazy<Task<RedisNodeClient>>>(key, lazy)))
            {
                await DisposeAsync(lazy).ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Closes the connections to these nodes (an instance was deleted, or its nodes moved).</summary>
    public async Task ForgetAsync(IEnumerable<(string Host, int Port)> nodes, string? password)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        foreach ((string host, int port) in nodes)
        {
            if (_connections.TryRemove((host, port, password), out var lazy))
            {
                await DisposeAsync(lazy).ConfigureAwait(false);
            }
        }
    }

    private static async Task DisposeAsync(Lazy<Task<RedisNodeClient>> lazy)
    {
        if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
        {
            await lazy.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lazy in _connections.Values)
        {
            await DisposeAsync(lazy).ConfigureAwait(false);
        }

        _connections.Clear();
    }
}
