using Dcsd.Service.Store;
using StackExchange.Redis;

namespace Dcsd.Service.Instances;

/// <summary>Short-lived admin connections to one node of an instance, for INFO and friends.</summary>
internal static class RedisAdmin
{
    public static async Task<ConnectionMultiplexer> ConnectAsync(InstanceRecord instance, NodeRecord node, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var options = new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", node.Port } },
            Password = instance.Password,
            AllowAdmin = true,
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
            SyncTimeout = 10000,
            AsyncTimeout = 10000,
            ClientName = "dcsd",
        };
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }

    public static async Task<string> InfoAsync(InstanceRecord instance, NodeRecord node, string section, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(instance, node, cancellationToken).ConfigureAwait(false);
        return await connection.GetServer("127.0.0.1", node.Port).InfoRawAsync(section).ConfigureAwait(false) ?? string.Empty;
    }
}
