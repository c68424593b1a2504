using System.Net;
using System.Net.Sockets;
using Dcsd.Redis.Protocol;
using Dcsd.Redis.Topology;
using Dcsd.Testing;

namespace Dcsd.Redis.Tests.Protocol;

/// <summary>A node that accepts but does not answer is a time-out naming the node and the wait; a closed port is unreachable.</summary>
public sealed class FailureKindTests
{
    [Fact]
    public async Task A_node_that_does_not_answer_is_a_timeout_naming_the_node_the_command_and_the_wait()
    {
        await using var redis = await TestRedis.StartAsync();
        await using var client = await RedisNodeClient.ConnectAsync(new RedisNodeAddress("127.0.0.1", redis.Port, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), CancellationToken.None);
        Task sleeping = redis.Db().ExecuteAsync("DEBUG", "SLEEP", "3");
        await Task.Delay(200);

        var error = await Assert.ThrowsAsync<RedisFailureException>(() => client.InfoAsync("server", CancellationToken.None));
        Assert.Equal(RedisFailureKind.Timeout, error.Kind);
        Assert.Equal($"127.0.0.1:{redis.Port} accepted the connection but did not answer INFO server within 1 s", error.Message);
        Assert.False(client.IsUsable);
        await sleeping;
    }

    [Fact]
    public async Task Discovery_of_a_sleeping_node_is_a_timeout_not_unreachable()
    {
        await using var redis = await TestRedis.StartAsync();
        Task sleeping = redis.Db().ExecuteAsync("DEBUG", "SLEEP", "12");
        await Task.Delay(200);

        var error = await Assert.ThrowsAsync<RedisFailureException>(() => RedisTopology.DiscoverAsync([("127.0.0.1", redis.Port)], null, CancellationToken.None));
        Assert.Equal(RedisFailureKind.Timeout, error.Kind);
        Assert.Contains($"127.0.0.1:{redis.Port} accepted the connection but did not answer", error.Message, StringComparison.Ordinal);
        Assert.Contains("within 10 s", error.Message, StringComparison.Ordinal);
        await sleeping;
    }

    [Fact]
    public async Task A_refused_port_is_unreachable_and_the_message_has_no_exception_text()
    {
        int closedPort = ClosedPort();
        var error = await Assert.ThrowsAsync<RedisFailureException>(() => RedisNodeClient.ConnectAsync("127.0.0.1", closedPort, null, CancellationToken.None));
        Assert.Equal(RedisFailureKind.Unreachable, error.Kind);
        Assert.Equal($"cannot connect to 127.0.0.1:{closedPort}: ConnectionRefused", error.Message);

        var discovery = await Assert.ThrowsAsync<RedisFailureException>(() => RedisTopology.DiscoverAsync([("127.0.0.1", closedPort)], null, CancellationToken.None));
        Assert.Equal(RedisFailureKind.Unreachable, discovery.Kind);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
