using Dcsd.Redis.Protocol;

namespace Dcsd.Redis.Processes;

/// <summary>
/// One-shot commands to a local node for process supervision (PING, SHUTDOWN, CONFIG GET), each on a fresh connection
/// through <see cref="RedisNodeClient"/>: the server may not be up yet, or may be about to go.
/// </summary>
public static class RedisInlineClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>True when the server answers PING with PONG (after AUTH when a password is given).</summary>
    public static async Task<bool> PingAsync(int port, string? password, CancellationToken cancellationToken = default)
    {
        try
        {
            await using RedisNodeClient client = await ConnectAsync(port, password, cancellationToken).ConfigureAwait(false);
            RespReply reply = await client.CallAsync(["PING"], cancellationToken).ConfigureAwait(false);
            return reply is { Kind: RespReplyKind.Simple, Text: "PONG" };
        }
        catch (RedisFailureException)
        {
            return false;
        }
    }

    /// <summary>SHUTDOWN NOSAVE; the server closes the connection instead of answering, which is the success.</summary>
    public static async Task ShutdownAsync(int port, string? password, CancellationToken cancellationToken = default)
    {
        await using RedisNodeClient client = await ConnectAsync(port, password, cancellationToken).ConfigureAwait(false);
        try
        {
            RespReply reply = await client.CallAsync(["SHUTDOWN", "NOSAVE"], cancellationToken).ConfigureAwait(false);
            if (reply.IsError)
            {
                throw new RedisFailureException(RedisFailureKind.Refused, $"{client.EndPoint} refused SHUTDOWN: {reply.Text}");
            }
        }
        catch (RedisFailureException ex) when (ex.Kind == RedisFailureKind.ConnectionLost)
        {
            // Gone, as asked.
        }
    }

    /// <summary>CONFIG GET <paramref name="name"/>: the value, or null when the server does not know the setting.</summary>
    public static async Task<string?> ConfigGetAsync(int port, string? password, string name, CancellationToken cancellationToken = default)
    {
        await using RedisNodeClient client = await ConnectAsync(port, password, cancellationToken).ConfigureAwait(false);
        RespReply reply = await client.CallCheckedAsync(["CONFIG", "GET", name], cancellationToken).ConfigureAwait(false);
        return reply.Integer >= 2 ? reply.Second : null;
    }

    private static Task<RedisNodeClient> ConnectAsync(int port, string? password, CancellationToken cancellationToken) =>
        RedisNodeClient.ConnectAsync(new RedisNodeAddress(RedisServerProcess.Host, port, password, Timeout, Timeout), cancellationToken);
}
