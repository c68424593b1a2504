using System.Globalization;
using StackExchange.Redis;

namespace Dcsd.Redis.Topology;

/// <summary>
/// A short-lived admin connection to exactly one node (StackExchange.Redis), for topology commands. Connection failures
/// become <see cref="TopologyException"/>s naming host:port; replies are returned as <see cref="RedisResult"/> trees.
/// </summary>
internal sealed class NodeConnection : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly IServer _server;

    private NodeConnection(ConnectionMultiplexer multiplexer, string host, int port)
    {
        _multiplexer = multiplexer;
        Host = host;
        Port = port;
        _server = multiplexer.GetServer(host, port);
    }

    public string Host { get; }

    public int Port { get; }

    public string EndPoint => Host + ":" + Port.ToString(CultureInfo.InvariantCulture);

    public static async Task<NodeConnection> ConnectAsync(string host, int port, string? password, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        int milliseconds = (int)(timeout ?? TimeSpan.FromSeconds(5)).TotalMilliseconds;
        var options = new ConfigurationOptions
        {
            EndPoints = { { host, port } },
            Password = password,
            AllowAdmin = true,
            AbortOnConnectFail = true,
            ConnectRetry = 1,
            ConnectTimeout = milliseconds,
            SyncTimeout = Math.Max(milliseconds, 10_000),
            AsyncTimeout = Math.Max(milliseconds, 10_000),
            ClientName = "dcsd-topology",

            // No tie-breaker key reads and no config-change channel: this connection lives for a few commands only.
            TieBreaker = string.Empty,
            ConfigurationChannel = string.Empty,
        };
        string endPoint = host + ":" + port.ToString(CultureInfo.InvariantCulture);
        try
        {
            ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
            return new NodeConnection(multiplexer, host, port);
        }
        catch (RedisConnectionException ex) when (ex.FailureType == ConnectionFailureType.AuthenticationFailure || IsAuthError(ex.Message) || IsAuthError(ex.InnerException?.Message))
        {
            throw new TopologyException(TopologyFailure.AuthenticationFailed, $"{endPoint} rejected the password (or requires one)", ex);
        }
        catch (RedisConnectionException ex)
        {
            throw new TopologyException(TopologyFailure.Unreachable, $"cannot connect to {endPoint}: {ex.FailureType}", ex);
        }
    }

    /// <summary>Runs one command on this node; an error reply becomes <see cref="TopologyFailure.CommandFailed"/> (auth errors: AuthenticationFailed).</summary>
    public async Task<RedisResult> ExecuteAsync(string command, object[] arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await _server.ExecuteAsync(command, arguments).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex)
        {
            string what = command + (arguments.Length > 0 ? " " + arguments[0] : string.Empty);
            TopologyFailure reason = IsAuthError(ex.Message) ? TopologyFailure.AuthenticationFailed : TopologyFailure.CommandFailed;
            throw new TopologyException(reason, $"{EndPoint} rejected {what}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            throw new TopologyException(TopologyFailure.Unreachable, $"{EndPoint} did not answer {command}: {ex.Message}", ex);
        }
    }

    public async Task<string> InfoAsync(string section, CancellationToken cancellationToken)
    {
        RedisResult reply = await ExecuteAsync("INFO", [section], cancellationToken).ConfigureAwait(false);
        return reply.ToString();
    }

    private static bool IsAuthError(string? message) =>
        message is not null
        && (message.Contains("NOAUTH", StringComparison.Ordinal) || message.Contains("WRONGPASS", StringComparison.Ordinal)
            || message.Contains("invalid password", StringComparison.OrdinalIgnoreCase) || message.Contains("AuthenticationFailure", StringComparison.Ordinal));

    public async ValueTask DisposeAsync() => await _multiplexer.DisposeAsync().ConfigureAwait(false);
}
